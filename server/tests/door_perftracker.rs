//! PerfTracker's front door (`/perftracker`): the job JSON as the client
//! posts it (raw body, no content type, HTTP Basic from the URL), on SQLite
//! and PostgreSQL: a job is created, found again by its uuid to append to
//! or replace, a retry changes nothing, a test appended twice is refused,
//! and wrong credentials or bad input store nothing. Then the unmodified
//! `perftrackerlib` 0.1.8 client, driven by tests/perftracker/suite.py,
//! against a server on a real socket.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use common::{Backend, Resp, TestApp};
use serde_json::{Value, json};

const UUID: &str = "4a9c1e5e-d0a1-11ee-8000-000000000001";

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// POSTs a job as perftrackerlib does: the JSON as the body, no content type.
async fn post_job(app: &TestApp, project_id: i64, auth: Option<&str>, body: &Value) -> Resp {
    let mut req = Request::post(format!("/perftracker/api/v1.0/{project_id}/job/"));
    if let Some(a) = auth {
        req = req.header(header::AUTHORIZATION, a);
    }
    app.send(req.body(Body::from(serde_json::to_vec(body).unwrap())).unwrap()).await
}

fn job(tests: Value) -> Value {
    json!({
        "job_title": "disk tests on kvm", "suite_name": "disk tests", "project_name": "perf",
        "product_name": "kvm", "product_ver": "2.6.32", "uuid": UUID,
        "begin": "2026-12-01T10:00:00+00:00", "end": "2026-12-01T10:30:00+00:00",
        "env_nodes": [{"name": "host1", "hostname": "host1.example", "uuid": "54ed6714-edf7-11f1-b143-02fc00000001"}],
        "tests": tests,
    })
}

fn test(tag: &str, group: &str, scores: &[f64]) -> Value {
    json!({"tag": tag, "group": group, "scores": scores, "metrics": "MB/s"})
}

/// The job's perf tests and metrics, and its upload count.
async fn figures(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("SELECT CAST(COALESCE(SUM(perf_tests), 0) AS BIGINT) FROM jobs").await,
        app.count("SELECT COUNT(*) FROM perf_points").await,
        app.count("SELECT COUNT(*) FROM uploads").await,
    )
}

async fn project_id(app: &TestApp, slug: &str) -> i64 {
    let list = app.get("/perftracker/api/v1.0/0/project/").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    list.value().as_array().unwrap().iter().find(|p| p["name"] == slug).expect("project listed")["id"].as_i64().unwrap()
}

async fn create_append_replace(app: TestApp) {
    let token = app.project("perf").await;
    let auth = basic("perf", &token);
    let pid = project_id(&app, "perf").await;

    // A new uuid: a run with one job, its tests on their series.
    let first =
        job(json!([test("seq read", "disk", &[512.0, 498.0, 506.0]), test("rand read", "disk", &[90.0, 91.0])]));
    let res = post_job(&app, pid, Some(&auth), &first).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let answer = res.value();
    let job_id = answer["id"].as_i64().unwrap();
    assert_eq!(answer["message"], format!("OK, job {job_id} has been created"));
    let url = answer["url"].as_str().unwrap().to_owned();
    let j = app.get(&format!("/api/v1{url}")).await;
    assert_eq!(j.status, StatusCode::OK, "{}", j.text());
    let j = j.value();
    assert_eq!((j["job"]["key"].as_str(), j["job"]["machine"].as_str()), (Some("perftracker"), Some("host1")));
    assert_eq!((j["job"]["state"].as_str(), j["job"]["result"].as_str()), (Some("completed"), Some("success")));
    assert_eq!(j["job"]["perf_tests"], 2);
    assert_eq!(j["job"]["finished_at"], "2026-12-01T10:30:00Z");
    let run = app.get(&format!("/api/v1/projects/perf/runs/{}", j["job"]["run_id"])).await.value();
    assert_eq!(run["run"]["name"], format!("disk tests on kvm · {UUID}"));
    assert_eq!(run["run"]["revision"], "2.6.32", "the product version");
    assert_eq!(figures(&app).await, (2, 2, 1));

    // A retry of the same JSON: nothing new.
    let res = post_job(&app, pid, Some(&auth), &first).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!((res.value()["id"].as_i64(), res.value()["duplicate"].as_bool()), (Some(job_id), Some(true)));
    assert_eq!(figures(&app).await, (2, 2, 1));

    // Appended: more tests on the same job (the uuid in any case).
    let mut more =
        job(json!([test("boot time", "vm", &[10.0, 11.0]), {"tag": "ssh", "group": "vm", "status": "FAILED"}]));
    more["append"] = json!(true);
    more["uuid"] = json!(UUID.to_uppercase());
    let res = post_job(&app, pid, Some(&auth), &more).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.value()["message"], format!("OK, job {job_id} has been appended"));
    assert_eq!(figures(&app).await, (4, 3, 2));
    let j = app.get(&format!("/api/v1{url}")).await.value();
    assert_eq!(j["job"]["result"], "failure", "a failed test fails the job");
    // The same append again (a retry) is a duplicate; a test the job has
    // already (same group, tag and category) is refused, storing nothing.
    assert_eq!(post_job(&app, pid, Some(&auth), &more).await.value()["duplicate"], true);
    let mut clash = job(json!([test("boot time", "vm", &[9.0])]));
    clash["append"] = json!(true);
    let res = post_job(&app, pid, Some(&auth), &clash).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
    assert!(res.value()["message"].as_str().unwrap().contains("tag ('boot time')"), "{}", res.text());
    assert_eq!(figures(&app).await, (4, 3, 2));

    // Posted again without append: its results are replaced.
    let replaced = job(json!([test("seq read", "disk", &[400.0, 410.0])]));
    let res = post_job(&app, pid, Some(&auth), &replaced).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.value()["message"], format!("OK, job {job_id} has been updated"));
    assert_eq!(figures(&app).await, (1, 1, 1));
    let j = app.get(&format!("/api/v1{url}")).await.value();
    assert_eq!((j["job"]["result"].as_str(), j["job"]["upload_count"].as_i64()), (Some("success"), Some(1)));
    let series = app.get("/api/v1/projects/perf/series?test=rand%20read").await.value();
    assert_eq!(series[0]["point_count"], 0, "{series}");
    let series = app.get("/api/v1/projects/perf/series?test=seq%20read").await.value();
    assert_eq!((series[0]["point_count"].as_i64(), series[0]["last_value"].as_f64()), (Some(1), Some(405.0)));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'perf.replace'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM runs").await, 1, "one PerfTracker job, one run");

    // Another uuid, with a regression tag: another run.
    let mut tagged = job(json!([test("seq read", "disk", &[500.0])]));
    tagged["uuid"] = json!("4a9c1e5e-d0a1-11ee-8000-000000000002");
    tagged["regression_tag"] = json!("kvm 2.6.32 rc1");
    let res = post_job(&app, pid, Some(&auth), &tagged).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE regression = 'kvm 2.6.32 rc1'").await, 1);
}

async fn refused_and_stores_nothing(app: TestApp) {
    let token = app.project("perf").await;
    let other = app.project("other").await;
    let read = app.token("perf", server::db::tokens::Scope::Read).await;
    let pid = project_id(&app, "perf").await;
    let body = job(json!([test("seq read", "disk", &[1.0])]));
    let cases: Vec<(Option<String>, StatusCode, &str)> = vec![
        (None, StatusCode::UNAUTHORIZED, "project API token"),
        (Some(basic("perf", "assay_wrong")), StatusCode::UNAUTHORIZED, "not valid"),
        (Some(basic("other", &token)), StatusCode::UNAUTHORIZED, "not a token of project 'other'"),
        (Some(basic("other", &other)), StatusCode::FORBIDDEN, ""),
        (Some(basic("perf", &read)), StatusCode::FORBIDDEN, ""),
        (Some("Basic !!!".into()), StatusCode::UNAUTHORIZED, "base64"),
    ];
    for (auth, status, needle) in cases {
        let res = post_job(&app, pid, auth.as_deref(), &body).await;
        assert_eq!(res.status, status, "{auth:?}: {}", res.text());
        let message = res.value()["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains(needle), "{auth:?}: {message}");
    }
    let auth = basic("perf", &token);
    let mut no_uuid = body.clone();
    no_uuid.as_object_mut().unwrap().remove("uuid");
    let mut bad_uuid = body.clone();
    bad_uuid["uuid"] = json!("not-a-uuid");
    let mut elsewhere = body.clone();
    elsewhere["project_name"] = json!("other");
    let mut bad_status = body.clone();
    bad_status["tests"][0]["status"] = json!("PASS");
    for (b, status, needle) in [
        (no_uuid, StatusCode::BAD_REQUEST, "job 'uuid' is not set"),
        (bad_uuid, StatusCode::BAD_REQUEST, "not a valid UUID"),
        (elsewhere, StatusCode::BAD_REQUEST, "project_name 'other' is not project"),
        (bad_status, StatusCode::UNPROCESSABLE_ENTITY, "status 'PASS'"),
    ] {
        let res = post_job(&app, pid, Some(&auth), &b).await;
        assert_eq!(res.status, status, "{}", res.text());
        assert!(res.value()["message"].as_str().unwrap().contains(needle), "{}", res.text());
    }
    let res = app
        .send(
            Request::post(format!("/perftracker/api/v1.0/{pid}/job/"))
                .header(header::AUTHORIZATION, &auth)
                .body(Body::from("{\"uuid\": "))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let res = post_job(&app, 999, Some(&auth), &body).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text());
    assert_eq!(figures(&app).await, (0, 0, 0));
    assert_eq!(app.count("SELECT COUNT(*) FROM runs").await, 0);
}

both_backends! {
    create_append_replace => create_append_replace;
    refused_and_stores_nothing => refused_and_stores_nothing;
}

async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("{addr}")
}

/// Runs tests/perftracker/suite.py with the client's own options.
async fn suite(step: &str, args: Vec<String>) -> (i32, String) {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/perftracker/suite.py");
    let step = step.to_owned();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3").arg(script).arg(step).args(args).output().expect("python3 runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "perftrackerlib must be installed (scripts/install.sh --test does it): {stderr}"
    );
    (out.status.code().unwrap_or(-1), format!("{stdout}\n{stderr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unmodified_perftrackerlib_client() {
    let app = TestApp::new(Backend::Sqlite).await;
    let token = app.project("perf").await;
    let addr = serve(&app).await;
    let base = [
        "--pt-url".to_owned(),
        format!("http://perf:{token}@{addr}/perftracker"),
        "--pt-project".into(),
        "perf".into(),
    ];
    let with = |extra: &[&str]| base.iter().cloned().chain(extra.iter().map(|s| s.to_string())).collect::<Vec<_>>();

    let (code, out) = suite("first", with(&["--pt-regression-tag", "kvm 2.6.32 rc1"])).await;
    assert_eq!(code, 0, "{out}");
    let uuid = out.lines().next().unwrap().trim().to_owned();
    let (code, out) = suite("append", with(&["--pt-append", &uuid])).await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = suite("again", with(&["--pt-append", &uuid])).await;
    assert_eq!(code, 3, "appending a test the job has is refused: {out}");
    assert!(out.contains("already exists"), "{out}");
    assert_eq!(figures(&app).await, (4, 3, 2));
    let jobs = app.count("SELECT COUNT(*) FROM jobs WHERE regression = 'kvm 2.6.32 rc1' AND machine = 'host1'").await;
    assert_eq!(jobs, 1);
    let failed = app.count("SELECT COUNT(*) FROM jobs WHERE result = 'failure'").await;
    assert_eq!(failed, 1, "the ssh test failed");

    // The points, as the client's figures: seq read's scores and deviations.
    let series = app.get("/api/v1/projects/perf/series?test=seq%20read").await.value();
    let id = series[0]["id"].as_i64().unwrap();
    assert_eq!((series[0]["unit"].as_str(), series[0]["direction"].as_str()), (Some("MB/s"), Some("higher")));
    let points = app.get(&format!("/api/v1/series/{id}/points")).await.value();
    let p = &points["points"][0];
    assert_eq!((p["n"].as_i64(), p["value"].as_f64()), (Some(3), Some(1516.0 / 3.0)), "{p}");

    // Artifacts, with ptArtifact: a compressed log linked to the job and a
    // plain file, read back, updated, linked, deleted.
    let work = tempfile::tempdir().unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/perftracker/artifacts.py");
    let args = [format!("http://perf:{token}@{addr}/perftracker"), uuid.clone(), work.path().display().to_string()];
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3").arg(script).args(args).output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: Value = serde_json::from_str(stdout.trim()).expect("artifacts.py prints JSON");
    let (a, b) = (seen["a"].as_str().unwrap(), seen["b"].as_str().unwrap());
    assert_eq!(seen["upload"][0], 200, "{seen}");
    let info = &seen["upload"][1];
    assert_eq!(
        (info["filename"].as_str(), info["inline"].as_bool(), info["compression"].as_bool()),
        (Some("stdout.txt"), Some(true), Some(true))
    );
    assert_eq!((info["mime"].as_str(), info["ttl_days"].as_i64()), (Some("text/plain"), Some(7)));
    assert_eq!(info["links"], json!([uuid]), "{info}");
    assert_eq!(seen["upload2"][1]["message"], format!("Artifact has been created, uuid: {b}"));
    assert_eq!(seen["list"][0], 200);
    assert_eq!(seen["list"][1].as_array().unwrap().len(), 2, "{seen}");
    assert_eq!(
        (seen["download"].as_i64(), seen["download_same"].as_bool()),
        (Some(200), Some(true)),
        "served decompressed"
    );
    assert_eq!((seen["download2"].as_i64(), seen["download2_same"].as_bool()), (Some(200), Some(true)));
    assert_eq!((seen["update"].as_i64(), seen["link"].as_i64()), (Some(200), Some(200)));
    assert_eq!(seen["info"]["description"], "profile, annotated");
    assert_eq!(seen["info"]["ttl_days"], 30);
    assert_eq!(seen["info"]["links"], json!([seen["other"]]));
    assert_eq!(seen["delete"]["message"], format!("Artifact has been deleted, uuid: {b}"));
    assert_eq!((seen["download_deleted"].as_i64(), seen["unknown"].as_i64()), (Some(410), Some(404)));
    // The log shows on the job's page, served from the object store.
    let job_id = app.count("SELECT job_id FROM perftracker_jobs").await;
    let run_id = app.count("SELECT run_id FROM jobs").await;
    let detail = app.get(&format!("/api/v1/projects/perf/runs/{run_id}/jobs/{job_id}")).await.value();
    let linked = detail["linked_artifacts"].as_array().expect("linked artifacts").clone();
    assert_eq!(linked.len(), 1, "{detail}");
    assert_eq!((linked[0]["uuid"].as_str(), linked[0]["filename"].as_str()), (Some(a), Some("stdout.txt")));
    let content = app.get(linked[0]["href"].as_str().unwrap()).await;
    assert_eq!(content.status, StatusCode::OK);
    assert!(content.text().starts_with("iteration 0: 512 MB/s\n"));
    assert_eq!(content.header("content-disposition"), "inline");
    // Deleted: its blob is no longer referred to, and pruning takes it.
    assert_eq!(app.count("SELECT COUNT(*) FROM perftracker_artifacts WHERE sha256 IS NULL").await, 1);
    let pruned = server::service::prune::prune(&app.db, &app.blobs, chrono::Duration::zero()).await.unwrap();
    assert_eq!(pruned.unreferenced_blobs, 1, "{pruned:?}");
    assert_eq!(app.get(linked[0]["href"].as_str().unwrap()).await.status, StatusCode::OK, "the log stays");

    let (code, out) = suite("replace", with(&["--pt-replace", &uuid])).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(figures(&app).await, (1, 1, 1));
    let points = app.get(&format!("/api/v1/series/{id}/points")).await.value();
    assert_eq!(points["points"][0]["value"], 405.0);

    // A wrong password: the client says so and nothing is stored.
    let wrong = vec![
        "--pt-url".to_owned(),
        format!("http://perf:assay_nope@{addr}/perftracker"),
        "--pt-project".into(),
        "perf".into(),
    ];
    let (code, out) = suite("first", wrong).await;
    assert_ne!(code, 0, "{out}");
    assert_eq!(figures(&app).await, (1, 1, 1));
}
