//! Performance results through the REST API, on SQLite and PostgreSQL:
//! upload in every way it arrives (multipart, raw JSON body, the format
//! named or detected), dedupe, series and points, job comparison (JSON and
//! CSV), and bad input that stores nothing.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestApp;
use serde_json::{Value, json};

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tests/fixtures/perf").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A file of the shared corpus's `benchmarks/`.
fn benchmark(rel: &str) -> Vec<u8> {
    let base = std::env::var("ASSAY_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    let p = base.join("benchmarks").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn bencher(rel: &str) -> Vec<u8> {
    benchmark(&format!("bencher/lib/bencher_adapter/tool_output/{rel}"))
}

/// An Assay perf document of tests `(name, samples)`, all "time" in ms.
fn assay(tests: &[(&str, &[f64])]) -> Vec<u8> {
    let tests: Vec<Value> = tests
        .iter()
        .map(|(name, samples)| {
            json!({"name": name, "group": "parse", "metrics": [{"name": "time", "unit": "ms", "samples": samples}]})
        })
        .collect();
    serde_json::to_vec(&json!({"format": "assay-perf/1", "tests": tests})).unwrap()
}

async fn raw(app: &TestApp, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> common::Resp {
    let req = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn upload_dedupe_and_series(app: TestApp) {
    let token = app.project("bench").await;
    let job = app.run_and_job(&token, "bench", "r1", Some("main"), "kvm").await;
    let res = app
        .upload(
            &format!("{job}/perf-results"),
            Some(&token),
            &[("job.json", fixture("perftracker-job.json")), ("two.json", bencher("shell/hyperfine/two.json"))],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let v = res.value();
    assert_eq!(v["files"][0]["format"], "perftracker");
    assert_eq!(v["files"][0]["regression"], "kvm 2.6.32 rc1");
    assert_eq!(v["files"][1]["format"], "hyperfine");
    // PerfTracker: 5 tests, 4 with scores (the skipped one has none); hyperfine:
    // 2 commands × (time, user, system).
    assert_eq!((v["files"][0]["tests"].as_i64(), v["files"][0]["metrics"].as_i64()), (Some(5), Some(4)));
    assert_eq!((v["files"][1]["tests"].as_i64(), v["files"][1]["metrics"].as_i64()), (Some(2), Some(6)));
    assert_eq!((v["tests"].as_i64(), v["metrics"].as_i64(), v["failed"].as_i64()), (Some(7), Some(10), Some(1)));
    assert_eq!(app.count("SELECT COUNT(*) FROM perf_points").await, 10);

    // The same files again: duplicates, nothing new.
    let again = app
        .upload(&format!("{job}/perf-results"), Some(&token), &[("job.json", fixture("perftracker-job.json"))])
        .await;
    assert_eq!(again.status, StatusCode::OK);
    let a = again.value();
    assert_eq!((a["files"][0]["duplicate"].as_bool(), a["files"][0]["metrics"].as_i64()), (Some(true), Some(4)));
    assert_eq!(app.count("SELECT COUNT(*) FROM perf_points").await, 10);

    // The job rolls them up and lists the uploads with their figures.
    let j = app.get(&job).await.value();
    assert_eq!((j["job"]["perf_tests"].as_i64(), j["job"]["perf_metrics"].as_i64()), (Some(7), Some(10)));
    assert_eq!(j["job"]["regression"], "kvm 2.6.32 rc1");
    let perf_upload = j["uploads"].as_array().unwrap().iter().find(|u| u["filename"] == "two.json").unwrap();
    assert_eq!((perf_upload["kind"].as_str(), perf_upload["perf"]["metrics"].as_i64()), (Some("perf_result"), Some(6)));

    // The next run's job adds a point to the same series.
    let job2 = app.run_and_job(&token, "bench", "r2", Some("main"), "kvm").await;
    let res = app
        .upload(&format!("{job2}/perf-results"), Some(&token), &[("two.json", bencher("shell/hyperfine/two.json"))])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let series = app.get("/api/v1/projects/bench/series?test=sleep%200.1&metric=time").await;
    assert_eq!(series.status, StatusCode::OK, "{}", series.text());
    let list = series.value();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!((list[0]["point_count"].as_i64(), list[0]["unit"].as_str()), (Some(2), Some("s")));
    let id = list[0]["id"].as_i64().unwrap();
    let points = app.get(&format!("/api/v1/series/{id}/points")).await.value();
    let pts = points["points"].as_array().unwrap();
    assert_eq!(pts.len(), 2);
    assert_eq!((pts[0]["run"].as_str(), pts[1]["run"].as_str()), (Some("r1"), Some("r2")));
    assert!((pts[0]["value"].as_f64().unwrap() - 0.107_534_464_423_703_72).abs() < 1e-15);
    assert!(pts[0]["n"].as_i64().unwrap() >= 10 && pts[0]["ci_low"].is_number());
    let future = app.get(&format!("/api/v1/series/{id}/points?from=2999-01-01T00:00:00Z")).await.value();
    assert_eq!(future["points"].as_array().unwrap().len(), 0);
    app.get(&format!("/api/v1/series/{id}/points?from=yesterday")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "RFC 3339",
    );
    app.get("/api/v1/series/999999/points").await.assert_error(StatusCode::NOT_FOUND, "not_found", "series #999999");
    // A different platform is a different series.
    let other = app
        .post_json("/api/v1/projects/bench/runs/r2/jobs", Some(&token), &json!({"key": "arm", "platform": "arm64"}))
        .await;
    assert!(other.status.is_success(), "{}", other.text());
    let res = app
        .upload(
            "/api/v1/projects/bench/runs/r2/jobs/arm/perf-results",
            Some(&token),
            &[("two.json", bencher("shell/hyperfine/two.json"))],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let arm = app.get("/api/v1/projects/bench/series?test=sleep%200.1&metric=time&platform=arm64").await.value();
    assert_eq!(arm.as_array().unwrap().len(), 1);
    assert_ne!(arm[0]["id"].as_i64(), Some(id));
    // The audit log names the upload.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'upload.create' AND detail LIKE '%perf_result%'")
            .await,
        4
    );
}

async fn raw_bodies_and_named_formats(app: TestApp) {
    let token = app.project("bench").await;
    let job = app.run_and_job(&token, "bench", "r1", None, "crit").await;
    // A raw JSON body named by its path: Criterion's benchmark is named by it.
    let estimates = benchmark("generated-locally/criterion-0.5.1/fib_group/10/new/estimates.json");
    let res = raw(
        &app,
        &format!("{job}/perf-results?filename=target/criterion/fib_group/10/new/estimates.json"),
        &token,
        "application/json",
        estimates,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.value()["files"][0]["format"], "criterion");
    let s = app.get("/api/v1/projects/bench/series?test=fib_group").await.value();
    assert_eq!(s[0]["test"], "fib_group/10");
    // A Perfherder log as text/plain, the format named.
    let res = raw(
        &app,
        &format!("{job}/perf-results?format=perfherder&filename=log.txt"),
        &token,
        "text/plain",
        fixture("perfherder-log.txt"),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.value()["tests"], 3);
    // Naming the wrong format is refused, naming the place.
    let res =
        raw(&app, &format!("{job}/perf-results?format=jmh"), &token, "application/json", fixture("assay.json")).await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "perf.json");
}

async fn bad_input_stores_nothing(app: TestApp) {
    let token = app.project("bench").await;
    let job = app.run_and_job(&token, "bench", "r1", None, "j").await;
    let path = format!("{job}/perf-results");
    // One good file and one that is not a perf report: neither is stored.
    let res = app
        .upload(&path, Some(&token), &[("ok.json", fixture("assay.json")), ("bad.json", br#"{"hello": 1}"#.to_vec())])
        .await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "bad.json");
    assert!(res.text().contains("unrecognised performance report"), "{}", res.text());
    let res =
        app.upload(&path, Some(&token), &[("trunc.json", br#"{"format": "assay-perf/1", "tests": [{"#.to_vec())]).await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "line 1");
    let res = app
        .upload(
            &path,
            Some(&token),
            &[(
                "m.json",
                br#"{"format": "assay-perf/1", "tests": [{"name": "t", "metrics": [{"name": "m"}]}]}"#.to_vec(),
            )],
        )
        .await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "tests[0].metrics[0]");
    for table in ["perf_tests", "perf_points", "perf_series", "uploads"] {
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "{table}");
    }
    let j = app.get(&job).await.value();
    assert_eq!((j["job"]["perf_tests"].as_i64(), j["job"]["upload_count"].as_i64()), (Some(0), Some(0)));
    // Unknown format, empty request, no token.
    app.upload(&format!("{path}?format=excel"), Some(&token), &[("a.json", fixture("assay.json"))]).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "excel",
    );
    app.upload(&path, Some(&token), &[]).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "no perf result file",
    );
    let res = app.upload(&path, None, &[("a.json", fixture("assay.json"))]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM perf_points").await, 0);
}

async fn compare_jobs(app: TestApp) {
    let token = app.project("bench").await;
    let base = app.run_and_job(&token, "bench", "r1", Some("main"), "linux").await;
    let next = app.run_and_job(&token, "bench", "r2", Some("main"), "linux").await;
    let quiet: &[f64] = &[10.0, 10.2, 9.9, 10.1, 10.0, 9.8];
    let res = app
        .upload(
            &format!("{base}/perf-results"),
            Some(&token),
            &[("a.json", assay(&[("json", quiet), ("xml", quiet), ("csv", quiet), ("one", &[3.0])]))],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res = app
        .upload(
            &format!("{next}/perf-results"),
            Some(&token),
            &[(
                "b.json",
                assay(&[
                    ("json", &[12.0, 12.2, 11.9, 12.1, 12.0, 11.8]),
                    ("xml", &[8.0, 8.2, 7.9, 8.1, 8.0, 7.8]),
                    ("csv", &[10.1, 9.9, 10.0, 10.2, 9.8, 10.0]),
                    ("one", &[3.3]),
                ]),
            )],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let a = app.get(&base).await.value()["job"]["id"].as_i64().unwrap();
    let b = app.get(&next).await.value()["job"]["id"].as_i64().unwrap();

    let c = app.get(&format!("/api/v1/compare?jobs={a},{b}")).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text());
    let c = c.value();
    assert_eq!(c["jobs"][0]["run"], "r1");
    assert_eq!(
        (c["regressions"].as_i64(), c["improvements"].as_i64(), c["total_rows"].as_i64()),
        (Some(1), Some(1), Some(4))
    );
    let row = |name: &str| c["rows"].as_array().unwrap().iter().find(|r| r["test"] == name).unwrap().clone();
    let json_row = row("json");
    assert_eq!(json_row["cells"][0]["verdict"], "baseline");
    assert_eq!(json_row["cells"][1]["verdict"], "regression");
    assert!((json_row["cells"][1]["change_pct"].as_f64().unwrap() - 20.0).abs() < 0.5);
    assert!(json_row["cells"][1]["p_value"].as_f64().unwrap() < 0.001);
    assert!(json_row["cells"][0]["ci_low"].as_f64().unwrap() < 10.0);
    assert_eq!(row("xml")["cells"][1]["verdict"], "improvement");
    assert_eq!(row("csv")["cells"][1]["verdict"], "no-change");
    assert_eq!(row("one")["cells"][1]["verdict"], "unknown", "one sample a side cannot be judged");
    // Each cell names its series, for the graph one click away.
    assert!(json_row["cells"][1]["series_id"].as_i64().is_some());
    // Read from the uploads' packs; uploads stored before packs existed
    // are read from their points, to the same comparison.
    assert_eq!(app.count("SELECT COUNT(*) FROM perf_packs").await, 2);
    server::on_db!(&app.db, p => sqlx::query("DELETE FROM perf_packs").execute(p).await.map(|_| ())).unwrap();
    let from_points = app.get(&format!("/api/v1/compare?jobs={a},{b}")).await.value();
    assert_eq!(from_points, c, "the same comparison from the points");

    let only = app.get(&format!("/api/v1/compare?jobs={a},{b}&only=regressions")).await.value();
    assert_eq!(only["rows"].as_array().unwrap().len(), 1);
    assert_eq!(only["rows"][0]["test"], "json");
    let sorted = app.get(&format!("/api/v1/compare?jobs={a},{b}&sort=change")).await.value();
    assert!(["json", "xml"].contains(&sorted["rows"][0]["test"].as_str().unwrap()));
    assert_eq!(sorted["rows"][3]["test"], "csv");

    let csv = app.get(&format!("/api/v1/compare?jobs={a},{b}&format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let text = csv.text();
    assert!(text.starts_with("group,category,test,metric,unit,direction,job_id,"), "{text}");
    assert_eq!(text.lines().count(), 1 + 8);
    assert!(text.lines().any(|l| l.starts_with("parse,,json,time,ms,lower,") && l.ends_with(",regression")), "{text}");

    app.get(&format!("/api/v1/compare?jobs={a}")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "at least two",
    );
    app.get("/api/v1/compare?jobs=1,x").await.assert_error(StatusCode::BAD_REQUEST, "bad_request", "'x'");
    app.get(&format!("/api/v1/compare?jobs={a},999999")).await.assert_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "job #999999",
    );
    app.get(&format!("/api/v1/compare?jobs={a},{b}&only=worse")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "only",
    );
    app.get(&format!("/api/v1/compare?jobs={a},{b}&format=xls")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "xls",
    );
}

both_backends! {
    upload_dedupe_and_series => upload_dedupe_and_series;
    raw_bodies_and_named_formats => raw_bodies_and_named_formats;
    bad_input_stores_nothing => bad_input_stores_nothing;
    compare_jobs => compare_jobs;
}
