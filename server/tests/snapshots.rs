//! The API's wire shapes, snapshotted with insta: the OpenAPI document and
//! the main responses (ids and times redacted), so that any change of
//! shape is a visible diff in review. For the front doors to come, the
//! exact JSON is the feature.
//!
//! After an intended change: `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test -p server --test snapshots`) and commit
//! the new `.snap` files.

mod common;

use common::{Backend, Part, TestApp};
use serde_json::Value;

/// Replaces what differs from run to run: ids, times, per-run names.
fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                let is_id = k == "id" || k.ends_with("_id");
                if is_id && val.is_i64() {
                    *val = Value::String("[id]".into());
                } else if (k.ends_with("_at") || k == "at") && val.is_string() {
                    *val = Value::String("[time]".into());
                } else if k == "download_url" {
                    *val = Value::String("/api/v1/artifacts/[id]/download".into());
                } else {
                    redact(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn snap(name: &str, mut v: Value) {
    redact(&mut v);
    insta::assert_json_snapshot!(name, v);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document() {
    let app = TestApp::new(Backend::Sqlite).await;
    let doc = app.get("/api/openapi.json").await;
    assert_eq!(doc.status, axum::http::StatusCode::OK);
    insta::assert_json_snapshot!("openapi", doc.value());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn main_responses() {
    let app = TestApp::new(Backend::Sqlite).await;
    let token = app.project("web").await;
    let run = app
        .post_json(
            "/api/v1/projects/web/runs",
            Some(&token),
            &serde_json::json!({"name": "build-1", "revision": "0123abcd", "branch": "main", "author": "ada"}),
        )
        .await;
    snap("run_created", run.value());
    let job = app
        .post_json(
            "/api/v1/projects/web/runs/build-1/jobs",
            Some(&token),
            &serde_json::json!({"key": "linux", "platform": "linux-x64", "labels": ["nightly"]}),
        )
        .await;
    snap("job_created", job.value());
    let base = "/api/v1/projects/web/runs/build-1/jobs/linux";
    let report = std::fs::read(common::corpus("dorny-test-reporter/__tests__/fixtures/jest-junit.xml")).unwrap();
    let uploaded = app.upload(&format!("{base}/test-results"), Some(&token), &[("jest.xml", report)]).await;
    snap("test_results_uploaded", uploaded.value());
    let artifacts = app
        .upload_parts(
            &format!("{base}/artifacts"),
            Some(&token),
            &[
                Part::File { filename: "build.log", content_type: None, bytes: b"one\ntwo\n".to_vec() },
                Part::Field { name: "test", value: "Passing test".into() },
            ],
        )
        .await;
    snap("artifacts_uploaded", artifacts.value());
    snap("runs", app.get("/api/v1/projects/web/runs").await.value());
    snap("run", app.get("/api/v1/projects/web/runs/build-1").await.value());
    snap("job", app.get(base).await.value());
    snap("test_results", app.get(&format!("{base}/test-results?limit=2")).await.value());
    snap("artifacts", app.get(&format!("{base}/artifacts")).await.value());
    snap("projects", app.get("/api/v1/projects").await.value());
    let lines_of = artifacts.value()["files"][0]["artifact"]["id"].as_i64().unwrap();
    snap("artifact_lines", app.get(&format!("/api/v1/artifacts/{lines_of}/lines")).await.value());
    snap("error", app.get("/api/v1/projects/nope").await.value());
}
