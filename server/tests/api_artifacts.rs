//! Artifacts through the REST API, on SQLite and PostgreSQL, with blobs in
//! a directory and on a real S3-compatible server: upload, dedupe,
//! download (ranges, ETags, safe headers), the log viewer's pages and
//! search, deletion, pruning, and every kind of bad input.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Part, TestApp};
use server::service::access::Access;
use server::service::{accounts, admin};
use shared::accounts::Role;

const JEST: &str = "dorny-test-reporter/__tests__/fixtures/jest-junit.xml";
const PNG: &str = "pixel-diff/pixelmatch/main-c6fee35/test/fixtures/5diff.png";

fn corpus_file(rel: &str) -> Vec<u8> {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    std::fs::read(base.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn file<'a>(filename: &'a str, content_type: Option<&'a str>, bytes: Vec<u8>) -> Part<'a> {
    Part::File { filename, content_type, bytes }
}

fn field(name: &str, value: impl Into<String>) -> Part<'_> {
    Part::Field { name, value: value.into() }
}

/// A log of `n` numbered lines.
fn log(n: usize) -> Vec<u8> {
    (1..=n)
        .map(|i| format!("line {i}: {}\n", if i % 1000 == 0 { "ERROR something broke" } else { "ok" }))
        .collect::<String>()
        .into_bytes()
}

async fn job_with_tests(app: &TestApp, token: &str) -> String {
    let job = app.run_and_job(token, "web", "r1", Some("main"), "linux").await;
    let res = app.upload(&format!("{job}/test-results"), Some(token), &[("jest.xml", common_read(JEST))]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    job
}

fn common_read(rel: &str) -> Vec<u8> {
    std::fs::read(common::corpus(rel)).unwrap()
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> common::Resp {
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

async fn upload_dedupe_download_and_ranges(app: TestApp) {
    let token = app.project("web").await;
    let job = job_with_tests(&app, &token).await;
    let url = format!("{job}/artifacts");
    let png = corpus_file(PNG);
    let build_log = log(3000);
    let meta = serde_json::json!({
        "screenshot.png": {"tests": ["Failing test", "Test 1.Passing test"]},
        "page.html": {"expires_at": "2099-01-01T00:00:00Z"},
    });
    let res = app
        .upload_parts(
            &url,
            Some(&token),
            &[
                file("build.log", None, build_log.clone()),
                file("screenshot.png", Some("image/png"), png.clone()),
                file("page.html", Some("text/html"), b"<script>alert(document.cookie)</script>".to_vec()),
                field("meta", meta.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let v = res.value();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    let (log_a, png_a, html_a) = (&files[0]["artifact"], &files[1]["artifact"], &files[2]["artifact"]);
    assert_eq!(log_a["content_type"], "text/plain");
    assert_eq!(log_a["text"], true);
    assert_eq!(log_a["line_count"], 3000);
    assert_eq!(log_a["size_bytes"], build_log.len());
    assert_eq!(png_a["content_type"], "image/png");
    assert_eq!(png_a["text"], false);
    let linked: Vec<&str> = png_a["tests"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(linked, ["Test 1.Passing test", "Test 1 › Test 1.1.Failing test"], "in report order");
    assert_eq!(html_a["expires_at"], "2099-01-01T00:00:00Z");

    // The job counts them; the test page lists the linked one.
    let detail = app.get(&job).await.value();
    assert_eq!(detail["job"]["artifact_count"], 3);
    assert_eq!(detail["job"]["upload_count"], 4, "one report and three artifacts");
    assert_eq!(detail["artifacts"].as_array().unwrap().len(), 3);
    let result_id = png_a["tests"][0]["result_id"].as_i64().unwrap();
    let test_page = app.get(&format!("{job}/test-results/{result_id}")).await.value();
    assert_eq!(test_page["artifacts"][0]["name"], "screenshot.png");

    // The same content again (under another name): stored once, same answer.
    let again = app.upload_parts(&url, Some(&token), &[file("renamed.log", None, build_log.clone())]).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    let again = again.value();
    assert_eq!(again["files"][0]["duplicate"], true);
    assert_eq!(again["files"][0]["artifact"]["id"], log_a["id"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM artifacts").await, 3);
    // The same content in another job: a second artifact, still one blob.
    let other = app.run_and_job(&token, "web", "r2", Some("main"), "linux").await;
    let res = app
        .upload_parts(&format!("{other}/artifacts"), Some(&token), &[file("build.log", None, build_log.clone())])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.value()["files"][0]["duplicate"], false);
    assert_eq!(app.count("SELECT COUNT(*) FROM artifacts").await, 4);
    assert_eq!(app.count("SELECT COUNT(*) FROM blobs").await, 3);

    // Metadata and the job's list.
    let id = log_a["id"].as_i64().unwrap();
    let meta = app.get(&format!("/api/v1/artifacts/{id}")).await;
    assert_eq!(meta.status, StatusCode::OK, "{}", meta.text());
    assert_eq!(meta.value()["name"], "build.log");
    let listed = app.get(&url).await.value();
    assert_eq!(listed.as_array().unwrap().len(), 3);

    // A full download: the bytes, the length, the tag, safe headers.
    let download = format!("/api/v1/artifacts/{id}/download");
    let full = get(&app, &download, &[]).await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.body, build_log);
    assert_eq!(full.header("content-length"), build_log.len().to_string());
    assert_eq!(full.header("content-type"), "text/plain; charset=utf-8");
    assert!(full.header("content-disposition").starts_with("inline; filename=\"build.log\""));
    assert_eq!(full.header("x-content-type-options"), "nosniff");
    assert!(full.header("content-security-policy").starts_with("sandbox"));
    assert_eq!(full.header("accept-ranges"), "bytes");
    let etag = full.header("etag");
    assert_eq!(etag, format!("\"{}\"", log_a["sha256"].as_str().unwrap()));
    let cached = get(&app, &download, &[("if-none-match", &etag)]).await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert!(cached.body.is_empty());

    // Ranges: a middle, a suffix, and one outside the file.
    let part = get(&app, &download, &[("range", "bytes=100-199")]).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, build_log[100..200]);
    assert_eq!(part.header("content-range"), format!("bytes 100-199/{}", build_log.len()));
    assert_eq!(part.header("content-length"), "100");
    let tail = get(&app, &download, &[("range", "bytes=-10")]).await;
    assert_eq!(tail.body, build_log[build_log.len() - 10..]);
    let outside = get(&app, &download, &[("range", &format!("bytes={}-", build_log.len() + 5))]).await;
    assert_eq!(outside.status, StatusCode::RANGE_NOT_SATISFIABLE, "{}", outside.text());
    assert_eq!(outside.header("content-range"), format!("bytes */{}", build_log.len()));

    // Images inline, as images; HTML only ever as an attachment.
    let png_id = png_a["id"].as_i64().unwrap();
    let img = get(&app, &format!("/api/v1/artifacts/{png_id}/download"), &[]).await;
    assert_eq!(img.body, png);
    assert_eq!(img.header("content-type"), "image/png");
    assert!(img.header("content-disposition").starts_with("inline"));
    let html_id = html_a["id"].as_i64().unwrap();
    let html = get(&app, &format!("/api/v1/artifacts/{html_id}/download"), &[]).await;
    assert!(html.header("content-disposition").starts_with("attachment; filename=\"page.html\""), "{:?}", html.headers);
    assert_eq!(html.header("x-content-type-options"), "nosniff");
    assert!(html.header("content-security-policy").contains("sandbox"));
    let forced = get(&app, &format!("{download}?download=true"), &[]).await;
    assert!(forced.header("content-disposition").starts_with("attachment"));
}

async fn log_pages_and_search(app: TestApp) {
    let token = app.project("web").await;
    let job = app.run_and_job(&token, "web", "r1", None, "linux").await;
    let text = log(25_000);
    let res = app.upload_parts(&format!("{job}/artifacts"), Some(&token), &[file("big.log", None, text)]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let id = res.value()["files"][0]["artifact"]["id"].as_i64().unwrap();
    let page = app.get(&format!("/api/v1/artifacts/{id}/lines?from=12001&count=3")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let page = page.value();
    assert_eq!(page["first_line"], 12001);
    assert_eq!(page["line_count"], 25_000);
    let lines: Vec<&str> = page["lines"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert_eq!(lines, ["line 12001: ok", "line 12002: ok", "line 12003: ok"]);
    let last = app.get(&format!("/api/v1/artifacts/{id}/lines?from=24999&count=10")).await.value();
    assert_eq!(last["lines"].as_array().unwrap().len(), 2);
    app.get(&format!("/api/v1/artifacts/{id}/lines?from=25001")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "past the end",
    );
    let found = app.get(&format!("/api/v1/artifacts/{id}/search?q=error%20SOMETHING&from=3000")).await.value();
    let at: Vec<i64> = found["matches"].as_array().unwrap().iter().map(|m| m["line"].as_i64().unwrap()).collect();
    assert_eq!(at, (3..=25).map(|k| k * 1000).collect::<Vec<_>>());
    assert_eq!(found["next_from"], serde_json::Value::Null);
    app.get(&format!("/api/v1/artifacts/{id}/search?q=")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "search for",
    );
    let bin = app
        .upload_parts(&format!("{job}/artifacts"), Some(&token), &[file("core", None, b"\x7fELF\0\0\0binary".to_vec())])
        .await
        .value();
    let bin_id = bin["files"][0]["artifact"]["id"].as_i64().unwrap();
    app.get(&format!("/api/v1/artifacts/{bin_id}/lines")).await.assert_error(
        StatusCode::CONFLICT,
        "conflict",
        "not text",
    );
}

async fn bad_input_stores_nothing(app: TestApp) {
    let token = app.project("web").await;
    let job = job_with_tests(&app, &token).await;
    let url = format!("{job}/artifacts");
    let ok = || file("ok.log", None, b"fine\n".to_vec());
    let cases: Vec<(Vec<Part<'_>>, &str)> = vec![
        (vec![ok(), file("empty.log", None, Vec::new())], "empty.log: the file is empty"),
        (vec![ok(), file("../etc/passwd", None, b"x".to_vec())], "path separator"),
        (vec![ok(), file("a\\b.log", None, b"x".to_vec())], "path separator"),
        (vec![ok(), field("meta", r#"{"ok.log": {"tests": ["No such test"]}}"#)], "no test named 'No such test'"),
        (vec![ok(), field("meta", r#"{"ok.log": {"expires_at": "2001-01-01T00:00:00Z"}}"#)], "in the past"),
        (vec![ok(), field("expires_in", "-3d")], "not a duration"),
        (vec![ok(), field("meta", r#"{"gone.log": {}}"#)], "no file of that name"),
        (vec![ok(), field("meta", "{not json")], "JSON object"),
        (vec![ok(), field("meta", r#"{"ok.log": {"colour": "red"}}"#)], "unknown field"),
        (vec![ok(), field("meta", r#"{"ok.log": {"content_type": "not a type"}}"#)], "not a content type"),
        (vec![], "no file in the request"),
    ];
    for (parts, needle) in cases {
        let res = app.upload_parts(&url, Some(&token), &parts).await;
        res.assert_error(StatusCode::BAD_REQUEST, "bad_request", needle);
    }
    // A name with a control character (which a multipart header cannot
    // even carry): as a raw body named in the query.
    for (name, needle) in [("bell%07.log", "control character"), ("a%2Fb", "path separator"), ("..", "not a file name")]
    {
        let raw = Request::post(format!("{url}?filename={name}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("x"))
            .unwrap();
        app.send(raw).await.assert_error(StatusCode::BAD_REQUEST, "bad_request", needle);
    }
    let raw = Request::post(format!("{url}?filename=raw.log"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("a=b"))
        .unwrap();
    app.send(raw).await.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "multipart");
    // A multipart body that is not one.
    let broken = Request::post(&url)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={}", common::BOUNDARY))
        .body(Body::from("--nope\r\ngarbage"))
        .unwrap();
    app.send(broken).await.assert_error(StatusCode::BAD_REQUEST, "bad_request", "multipart");
    assert_eq!(app.count("SELECT COUNT(*) FROM artifacts").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM uploads WHERE kind = 'artifact'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM blobs").await, 0);
    let detail = app.get(&job).await.value();
    assert_eq!(detail["job"]["artifact_count"], 0);
    // A read-only token, or none, uploads nothing.
    let reader = app.token("web", server::db::tokens::Scope::Read).await;
    app.upload_parts(&url, Some(&reader), &[ok()]).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "read-only");
    app.upload_parts(&url, None, &[ok()]).await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized", "token");
    // The size limit is a 413, before anything is stored.
    let small = TestApp::with_config(common::Backend::Sqlite, |c| c.max_body_bytes = 1000).await;
    let t = small.project("web").await;
    let j = small.run_and_job(&t, "web", "r", None, "j").await;
    small
        .upload_parts(&format!("{j}/artifacts"), Some(&t), &[file("big.log", None, vec![b'x'; 5000])])
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "1000 bytes");
}

async fn deletion_and_pruning(app: TestApp) {
    let token = app.project("web").await;
    let job = app.run_and_job(&token, "web", "r1", None, "linux").await;
    let url = format!("{job}/artifacts");
    let res = app
        .upload_parts(
            &url,
            Some(&token),
            &[file("keep.log", None, b"keep\n".to_vec()), file("drop.log", None, b"drop\n".to_vec())],
        )
        .await
        .value();
    let keep = res["files"][0]["artifact"].clone();
    let drop = res["files"][1]["artifact"].clone();
    let drop_id = drop["id"].as_i64().unwrap();
    // Members (and their tokens) may not delete; project admins may.
    let del = |cookie: Option<String>, csrf: bool| {
        let mut r = Request::delete(format!("/api/v1/artifacts/{drop_id}"));
        match &cookie {
            Some(c) => {
                r = r.header(header::COOKIE, c);
                if csrf {
                    r = r.header("x-csrf-token", "t");
                }
            }
            None => r = r.header(header::AUTHORIZATION, format!("Bearer {token}")),
        }
        r.body(Body::empty()).unwrap()
    };
    app.send(del(None, false)).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "cannot manage");
    accounts::create_user(&app.db, &Access::system(), "pat", false, Some("a long enough password".into()))
        .await
        .unwrap();
    admin::set_member(&app.db, &Access::system(), "web", "pat", Role::Admin).await.unwrap();
    let session = accounts::login(&app.db, "pat", "a long enough password", "127.0.0.1", None).await.unwrap();
    let cookie = format!("assay_session={}; assay_csrf=t", session.token);
    app.send(del(Some(cookie.clone()), false)).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "CSRF");
    let ok = app.send(del(Some(cookie), true)).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.text());
    app.get(&format!("/api/v1/artifacts/{drop_id}")).await.assert_error(StatusCode::NOT_FOUND, "not_found", "artifact");
    let detail = app.get(&job).await.value();
    assert_eq!(detail["job"]["artifact_count"], 1);
    assert_eq!(detail["job"]["artifact_bytes"], 5);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'artifact.delete'").await, 1);

    // An orphan: written to the store, never referred to (a request that
    // failed after writing its blob).
    let orphan = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(orphan.path(), b"orphan").unwrap();
    let orphan_sha = "ab".repeat(32);
    app.blobs.put_file(&orphan_sha, orphan.path()).await.unwrap();
    // Within the grace period nothing in flight is touched…
    let p = server::service::prune::prune(&app.db, &app.blobs, chrono::Duration::hours(1)).await.unwrap();
    assert_eq!((p.unreferenced_blobs, p.orphan_objects), (0, 0));
    assert!(app.blobs.size(&orphan_sha).await.unwrap().is_some());
    // …past it, the deleted artifact's blob and the orphan go, the kept one stays.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let p = server::service::prune::prune(&app.db, &app.blobs, chrono::Duration::seconds(1)).await.unwrap();
    assert_eq!((p.unreferenced_blobs, p.orphan_objects), (1, 1), "{p:?}");
    assert!(app.blobs.size(&orphan_sha).await.unwrap().is_none());
    assert!(app.blobs.size(drop["sha256"].as_str().unwrap()).await.unwrap().is_none());
    let kept = keep["sha256"].as_str().unwrap();
    assert_eq!(app.blobs.size(kept).await.unwrap(), Some(5));
    let keep_id = keep["id"].as_i64().unwrap();
    assert_eq!(get(&app, &format!("/api/v1/artifacts/{keep_id}/download"), &[]).await.body, b"keep\n");

    // Expired artifacts go too, with their uploads, and the job's figures.
    server::on_db!(&app.db, p => sqlx::query("UPDATE artifacts SET expires_at = $1")
        .bind(chrono::Utc::now() - chrono::Duration::minutes(1)).execute(p).await.map(|_| ()))
    .unwrap();
    let p = server::service::prune::prune(&app.db, &app.blobs, chrono::Duration::zero()).await.unwrap();
    assert_eq!(p.expired_artifacts, 1, "{p:?}");
    assert_eq!(p.unreferenced_blobs, 1, "{p:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM artifacts").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM uploads").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'artifact.expire'").await, 1);
    let detail = app.get(&job).await.value();
    assert_eq!((detail["job"]["artifact_count"].as_i64(), detail["job"]["upload_count"].as_i64()), (Some(0), Some(0)));
}

async fn large_files_stream_through_in_parts(app: TestApp) {
    let token = app.project("web").await;
    let job = app.run_and_job(&token, "web", "r1", None, "linux").await;
    // Larger than one part of a multipart write, and not a multiple of it.
    let big: Vec<u8> = (0..(20 * 1024 * 1024 + 12_345)).map(|i: u32| (i % 251) as u8).collect();
    let res = app.upload_parts(&format!("{job}/artifacts"), Some(&token), &[file("data.bin", None, big.clone())]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let a = res.value()["files"][0]["artifact"].clone();
    assert_eq!(a["content_type"], "application/octet-stream");
    let id = a["id"].as_i64().unwrap();
    let whole = get(&app, &format!("/api/v1/artifacts/{id}/download"), &[]).await;
    assert_eq!(whole.body.len(), big.len());
    assert!(whole.body == big, "the bytes come back as they went");
    let start = 8 * 1024 * 1024 - 50;
    let range = format!("bytes={start}-{}", start + 99);
    let across = get(&app, &format!("/api/v1/artifacts/{id}/download"), &[("range", &range)]).await;
    assert_eq!(across.body, big[start..start + 100], "a range across parts");
}

every_store! {
    upload_dedupe_download_and_ranges => upload_dedupe_download_and_ranges;
    deletion_and_pruning => deletion_and_pruning;
    large_files_stream_through_in_parts => large_files_stream_through_in_parts;
}

both_backends! {
    log_pages_and_search => log_pages_and_search;
    bad_input_stores_nothing => bad_input_stores_nothing;
}
