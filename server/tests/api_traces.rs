//! Rendering traces through the REST API, on SQLite and PostgreSQL: piglit
//! replayer output with its kept image and the traces YAML, Assay's JSON,
//! statuses and the job's result, images served by hash (and redirected to
//! a signed S3 URL), accepting a reference, ignore regions, the YAML
//! export, and bad input (a truncated PNG, a decompression bomb) that
//! stores nothing.

mod common;

use axum::http::StatusCode;
use common::{Backend, Part, Store, TestApp};
use serde_json::{Value, json};

fn traces_corpus(rel: &str) -> Vec<u8> {
    let p = common::corpus("").parent().unwrap().join("render-traces").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const MAGENTA_PNG: &str =
    "results/trace/gl-test-device/trace1/magenta.testtrace-0-8e0a801367e1714463475a824dab363b.png";
const MAGENTA: &str = "8e0a801367e1714463475a824dab363b";

fn magenta_png() -> Vec<u8> {
    traces_corpus(&format!("piglit/generated-locally/{MAGENTA_PNG}"))
}

fn file<'a>(filename: &'a str, bytes: Vec<u8>) -> Part<'a> {
    Part::File { filename, content_type: None, bytes }
}

/// A PNG of `w`×`h` RGBA pixels of one colour.
fn png(w: u32, h: u32, rgba: [u8; 4]) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(w, h, image::Rgba(rgba));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A PNG whose header claims `w`×`h` RGBA (the rest is a tiny IDAT): a
/// decompression bomb as far as any decoder that trusts headers goes.
fn bomb(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(data);
        out.extend_from_slice(&c);
        out.extend_from_slice(&crc32(&c).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    out
}

async fn piglit_mismatch_accept_and_export(app: TestApp) {
    let token = app.project("mesa").await;
    let job = app.run_and_job(&token, "mesa", "r1", Some("main"), "llvmpipe-traces").await;
    let log = traces_corpus("piglit/generated-locally/trace-fail.txt");
    let res = app
        .upload_parts(
            &format!("{job}/traces"),
            Some(&token),
            &[file("trace-fail.txt", log.clone()), file(MAGENTA_PNG, magenta_png())],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let v = res.value();
    assert_eq!((v["traces"].as_i64(), v["failed"].as_i64(), v["images"].as_i64()), (Some(1), Some(1), Some(1)), "{v}");
    assert_eq!(v["files"][0]["format"], "piglit");
    assert_eq!(v["files"][0]["warnings"], json!([]));

    // The same file again: a duplicate, nothing added.
    let again = app.upload_parts(&format!("{job}/traces"), Some(&token), &[file("trace-fail.txt", log.clone())]).await;
    assert_eq!(again.value()["files"][0]["duplicate"], true, "{}", again.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM trace_results").await, 1);

    let list = app.get(&format!("{job}/traces")).await.value();
    let r = &list["results"][0];
    assert_eq!(r["name"], "trace1/magenta.testtrace");
    assert_eq!(r["device"], "gl-test-device");
    assert_eq!(r["status"], "mismatch");
    assert_eq!(r["expected_checksum"], "deadbeefdeadbeefdeadbeefdeadbeef");
    assert_eq!(r["actual_checksum"], MAGENTA);
    assert_eq!(r["actual_image"]["checksum"], MAGENTA, "the pixels' MD5 is the replayer's checksum");
    assert_eq!((r["actual_image"]["width"].as_u64(), r["actual_image"]["height"].as_u64()), (Some(32), Some(32)));
    assert_eq!(list["counts"], json!([{"status": "mismatch", "count": 1}]));
    let jobv = app.get(&job).await.value();
    assert_eq!(jobv["job"]["effective_result"], "failure", "{jobv}");
    assert_eq!(jobv["job"]["trace_failed"], 1);
    let run = app.get("/api/v1/projects/mesa/runs/r1").await.value();
    assert_eq!(run["run"]["status"], "failed", "{run}");

    // The image, by hash, cached for good; its thumbnail is itself (small).
    let sha = r["actual_image"]["sha256"].as_str().unwrap().to_owned();
    let img = app.get(&format!("/image/{sha}")).await;
    assert_eq!(img.status, StatusCode::OK);
    assert_eq!(img.content_type, "image/png");
    assert_eq!(img.body, magenta_png());
    assert!(img.header("cache-control").contains("immutable"), "{}", img.header("cache-control"));
    assert_eq!(app.get(&format!("/image/{sha}/thumb")).await.body, magenta_png());
    app.get(&format!("/image/{}", "0".repeat(64))).await.assert_error(StatusCode::NOT_FOUND, "not_found", "image");
    app.get("/image/nothex").await.assert_error(StatusCode::BAD_REQUEST, "bad_request", "SHA-256");

    // Accepting needs a member; then the result matches, the job and run
    // turn green, the trace's history says who, and the next run's same
    // rendering matches the accepted reference (not the YAML's deadbeef).
    let id = r["id"].as_i64().unwrap();
    let trace_id = r["trace_id"].as_i64().unwrap();
    app.post_json("/api/v1/projects/mesa/traces/accept", None, &json!({"results": [id]})).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "token",
    );
    let acc = app
        .post_json(
            "/api/v1/projects/mesa/traces/accept",
            Some(&token),
            &json!({"results": [id], "note": "new llvmpipe"}),
        )
        .await;
    assert_eq!(acc.status, StatusCode::OK, "{}", acc.text());
    assert_eq!(acc.value()[0]["status"], "match");
    assert_eq!(app.get(&job).await.value()["job"]["effective_result"], "unknown");
    assert_eq!(app.get("/api/v1/projects/mesa/runs/r1").await.value()["run"]["status"], "running");
    let t = app.get(&format!("/api/v1/projects/mesa/traces/{trace_id}")).await.value();
    assert_eq!(t["reference_checksum"], MAGENTA);
    assert_eq!(t["reference_image"]["sha256"], sha.as_str());
    assert_eq!(t["references"][0]["note"], "new llvmpipe");
    assert_eq!(t["references"][0]["previous_checksum"], Value::Null);
    assert!(t["references"][0]["accepted_by"].as_str().unwrap().ends_with("(test)"), "{t}");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'trace.accept'").await, 1);

    let job2 = app.run_and_job(&token, "mesa", "r2", Some("main"), "llvmpipe-traces").await;
    let res = app.upload_parts(&format!("{job2}/traces"), Some(&token), &[file("trace-fail.txt", log)]).await;
    assert_eq!(res.value()["failed"], 0, "{}", res.text());
    let r2 = &app.get(&format!("{job2}/traces")).await.value()["results"][0];
    assert_eq!(r2["status"], "match");
    assert_eq!(r2["reported_checksum"], "deadbeefdeadbeefdeadbeefdeadbeef");
    assert_eq!(r2["expected_image"]["sha256"], sha.as_str(), "the reference image is known by its checksum");
    let t = app.get(&format!("/api/v1/projects/mesa/traces/{trace_id}")).await.value();
    assert_eq!(t["history"].as_array().unwrap().len(), 2);

    // The YAML to commit says the accepted checksum, quoted.
    let yml = app.get("/api/v1/projects/mesa/traces.yml?device=gl-test-device").await;
    assert_eq!(yml.status, StatusCode::OK);
    assert!(yml.content_type.starts_with("application/yaml"), "{}", yml.content_type);
    let parsed = shared::traces::yaml::parse(&yml.text()).unwrap();
    assert_eq!(parsed.find("trace1/magenta.testtrace", "gl-test-device").unwrap().checksum.as_deref(), Some(MAGENTA));
    assert!(yml.text().contains(&format!("checksum: \"{MAGENTA}\"")), "{}", yml.text());

    // Ignore regions: kept per trace and device, validated.
    let put = put_regions(&app, &token, trace_id, r#"{"regions": [{"x": 1, "y": 2, "width": 3, "height": 4}]}"#).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    let t = app.get(&format!("/api/v1/projects/mesa/traces/{trace_id}")).await.value();
    assert_eq!(t["ignore_regions"], json!([{"x": 1, "y": 2, "width": 3, "height": 4}]));
    let bad = put_regions(&app, &token, trace_id, r#"{"regions": [{"x": 1, "y": 2, "width": 0, "height": 4}]}"#).await;
    bad.assert_error(StatusCode::BAD_REQUEST, "bad_request", "regions[0]");
}

async fn put_regions(app: &TestApp, token: &str, trace_id: i64, body: &'static str) -> common::Resp {
    app.send(
        axum::http::Request::put(format!("/api/v1/projects/mesa/traces/{trace_id}/ignore-regions"))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::from(body))
            .unwrap(),
    )
    .await
}

async fn assay_json_with_yaml_labels(app: TestApp) {
    let token = app.project("mesa").await;
    let job = app.run_and_job(&token, "mesa", "r1", None, "lp").await;
    let doc = json!({"device": "gl-vmware-llvmpipe", "traces": [
        {"name": "bgfx/01-cubes.rdc", "actual_image": "cubes.png"},
        {"name": "0ad/0ad-v2.trace", "actual_checksum": "296d9d77d7f412b73f2114670dced22b"},
        // An expected image and no checksum: held to the image's pixels.
        {"name": "own/pair.trace", "actual_image": "cubes.png", "expected_image": "ref.png"},
        {"name": "own/same.trace", "actual_image": "cubes.png", "expected_image": "cubes.png"},
    ]});
    let res = app
        .upload_parts(
            &format!("{job}/traces"),
            Some(&token),
            &[
                file("results.json", serde_json::to_vec(&doc).unwrap()),
                file("cubes.png", png(8, 8, [10, 20, 30, 255])),
                file("ref.png", png(8, 8, [10, 20, 31, 255])),
                file("traces-llvmpipe.yml", traces_corpus("mesa/traces-llvmpipe.yml")),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // Four that ran, and the five the YAML labels for this device.
    assert_eq!(res.value()["traces"], 9);
    assert_eq!(res.value()["failed"], 2, "the cubes rendering is not the YAML's checksum, nor ref.png's");
    let list = app.get(&format!("{job}/traces")).await.value();
    let by_name = |n: &str| list["results"].as_array().unwrap().iter().find(|r| r["name"] == n).unwrap().clone();
    assert_eq!(by_name("bgfx/01-cubes.rdc")["status"], "mismatch");
    assert_eq!(by_name("0ad/0ad-v2.trace")["status"], "match");
    let pair = by_name("own/pair.trace");
    assert_eq!(pair["status"], "mismatch", "{pair}");
    assert_eq!(pair["expected_checksum"], pair["expected_image"]["checksum"]);
    assert_ne!(pair["expected_checksum"], pair["actual_checksum"]);
    assert_eq!(pair["run_name"], "r1");
    assert_eq!(pair["job_name"], "lp");
    assert_eq!(by_name("own/same.trace")["status"], "match");
    assert_eq!(by_name("ror/ror-default.trace")["status"], "skipped");
    assert_eq!(by_name("unvanquished/unvanquished-ultra.trace")["status"], "unsupported");
    assert_eq!(list["results"][0]["status"], "mismatch", "mismatches first");
    let only = app.get(&format!("{job}/traces?status=skipped")).await.value();
    assert_eq!(only["results"].as_array().unwrap().len(), 3);
    app.get(&format!("{job}/traces?status=green")).await.assert_error(StatusCode::BAD_REQUEST, "bad_request", "green");

    // The YAML export keeps the labels and their words.
    let yml = app.get("/api/v1/projects/mesa/traces.yml").await.text();
    let f = shared::traces::yaml::parse(&yml).unwrap();
    assert_eq!(f.find("ror/ror-default.trace", "gl-vmware-llvmpipe").unwrap().label_words, ["skip", "slow"]);
    assert_eq!(
        f.find("0ad/0ad-v2.trace", "gl-vmware-llvmpipe").unwrap().checksum.as_deref(),
        Some("296d9d77d7f412b73f2114670dced22b")
    );
}

async fn bad_input_stores_nothing(app: TestApp) {
    let token = app.project("mesa").await;
    let job = app.run_and_job(&token, "mesa", "r1", None, "lp").await;
    let log = traces_corpus("piglit/generated-locally/trace-fail.txt");
    let whole = magenta_png();
    let truncated = whole[..whole.len() / 2].to_vec();
    app.upload_parts(
        &format!("{job}/traces"),
        Some(&token),
        &[file("trace-fail.txt", log.clone()), file(MAGENTA_PNG, truncated)],
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "magenta.testtrace-0-8e0a");
    app.upload_parts(
        &format!("{job}/traces"),
        Some(&token),
        &[file("trace-fail.txt", log.clone()), file(MAGENTA_PNG, bomb(16000, 16000))],
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "larger than allowed");
    app.upload_parts(
        &format!("{job}/traces"),
        Some(&token),
        &[file("trace-fail.txt", log.clone()), file(MAGENTA_PNG, bomb(20000, 10))],
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "16384 pixels a side");
    app.upload_parts(&format!("{job}/traces"), Some(&token), &[file(MAGENTA_PNG, magenta_png())]).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "no results file",
    );
    app.upload_parts(&format!("{job}/traces"), Some(&token), &[file("log.txt", b"nothing to see".to_vec())])
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "not piglit replayer output");
    app.upload_parts(
        &format!("{job}/traces"),
        Some(&token),
        &[
            file("trace-fail.txt", log.clone()),
            file("traces.yml", b"traces:\n  a.trace:\n    dev:\n      checksum: 0\n".to_vec()),
        ],
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "quote it");
    for table in ["trace_results", "traces", "trace_images", "uploads"] {
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "{table}");
    }
    assert_eq!(app.get(&job).await.value()["job"]["trace_count"], 0);
}

/// Decoded-size limit from the configuration.
async fn decoded_size_limit_is_configurable(app: TestApp) {
    let token = app.project("mesa").await;
    let job = app.run_and_job(&token, "mesa", "r1", None, "lp").await;
    let doc = json!({"device": "d", "traces": [{"name": "a", "actual_image": "a.png"}]});
    app.upload_parts(
        &format!("{job}/traces"),
        Some(&token),
        &[file("r.json", serde_json::to_vec(&doc).unwrap()), file("a.png", png(64, 64, [1, 2, 3, 255]))],
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "a.png");
    assert_eq!(app.count("SELECT COUNT(*) FROM trace_results").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decoded_size_limit_sqlite() {
    let app = TestApp::with_config(Backend::Sqlite, |c| c.image_max_decoded_bytes = 8 * 1024).await;
    decoded_size_limit_is_configurable(app).await;
}

/// With an S3 store and redirects on, `/image/{hash}` answers with a
/// signed URL that serves the PNG from the store itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_redirect_to_signed_s3_urls() {
    let app = TestApp::with_store_and_config(Backend::Sqlite, Store::S3, |c| c.image_redirect_secs = 600).await;
    let token = app.project("mesa").await;
    let job = app.run_and_job(&token, "mesa", "r1", None, "lp").await;
    let log = traces_corpus("piglit/generated-locally/trace-fail.txt");
    let res = app
        .upload_parts(&format!("{job}/traces"), Some(&token), &[file("t.txt", log), file(MAGENTA_PNG, magenta_png())])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let list = app.get(&format!("{job}/traces")).await.value();
    let sha = list["results"][0]["actual_image"]["sha256"].as_str().unwrap().to_owned();
    let r = app.get(&format!("/image/{sha}")).await;
    assert_eq!(r.status, StatusCode::FOUND);
    let location = r.header("location");
    assert!(location.contains("X-Amz-Signature"), "{location}");
    let fetched = reqwest::get(&location).await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), magenta_png());
}

both_backends! {
    piglit_mismatch_accept_and_export => piglit_mismatch_accept_and_export;
    assay_json_with_yaml_labels => assay_json_with_yaml_labels;
    bad_input_stores_nothing => bad_input_stores_nothing;
}
