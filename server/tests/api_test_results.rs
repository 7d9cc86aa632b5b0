//! Uploading reports and reading test results through the REST API, on
//! SQLite and on PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{TestApp, corpus};

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(corpus(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const PULSAR: &str = "dorny-test-reporter/__tests__/fixtures/external/java/pulsar-test-report.xml";
const RERUN: &str = "action-junit-report/test_results/junit-server-test/report.xml";
const TRX: &str = "dorny-test-reporter/__tests__/fixtures/dotnet-trx.trx";
const CORRUPT: &str =
    "action-junit-report/test_results/corrupt-junit/e2e-tests/corrupt/target/sf-reports/TEST-test.CorruptTest.xml";
const JEST: &str = "dorny-test-reporter/__tests__/fixtures/jest-junit.xml";

async fn upload_counts_rolls_up_and_is_idempotent(app: TestApp) {
    let token = app.project("web").await;
    let job = app.run_and_job(&token, "web", "r1", Some("main"), "linux").await;
    let url = format!("{job}/test-results");
    let res = app.upload(&url, Some(&token), &[("pulsar.xml", read(PULSAR)), ("results.trx", read(TRX))]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let v = res.value();
    // dorny's expected figures: pulsar 793/1/14, dotnet-trx 5/5/1.
    assert_eq!(
        (v["total"].as_i64(), v["passed"].as_i64(), v["failed"].as_i64(), v["skipped"].as_i64()),
        (Some(819), Some(798), Some(6), Some(15))
    );
    assert_eq!(v["files"][0]["format"], "junit");
    assert_eq!(v["files"][1]["format"], "trx");
    assert_eq!(v["files"][1]["duplicate"], false);

    // The same file again: nothing new stored, same figures.
    let rows_before = app.count("SELECT COUNT(*) FROM test_results").await;
    let again = app.upload(&url, Some(&token), &[("renamed.trx", read(TRX))]).await.value();
    assert_eq!(again["files"][0]["duplicate"], true);
    assert_eq!(again["files"][0]["upload_id"], v["files"][1]["upload_id"]);
    assert_eq!((again["total"].as_i64(), again["failed"].as_i64()), (Some(11), Some(5)));
    assert_eq!(app.count("SELECT COUNT(*) FROM test_results").await, rows_before);
    assert_eq!(app.count("SELECT COUNT(*) FROM uploads").await, 2);

    // Counts were stored once, per upload, job and run.
    let summary = app.get(&format!("{job}/test-results/summary")).await.value();
    assert_eq!((summary["total"].as_i64(), summary["failed"].as_i64()), (Some(819), Some(6)));
    let run = app.get("/api/v1/projects/web/runs/r1").await.value();
    assert_eq!(run["run"]["counts"]["total"], 819);
    assert_eq!(run["run"]["status"], "failed");
    assert_eq!(run["jobs"][0]["upload_count"], 2);
    let detail = app.get(&job).await.value();
    assert_eq!(detail["uploads"].as_array().unwrap().len(), 2);
    assert_eq!(detail["uploads"][1]["counts"]["failed"], 5);
}

async fn a_bad_file_stores_nothing_from_the_request(app: TestApp) {
    let token = app.project("web").await;
    let job = app.run_and_job(&token, "web", "r1", None, "linux").await;
    let res = app
        .upload(
            &format!("{job}/test-results"),
            Some(&token),
            &[("good.xml", read(PULSAR)), ("TEST-Corrupt.xml", read(CORRUPT))],
        )
        .await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "TEST-Corrupt.xml: line 18");
    let v = res.value();
    assert_eq!(v["file"], "TEST-Corrupt.xml");
    assert_eq!(v["line"], 18);
    assert!(v["column"].as_u64().is_some());
    assert_eq!(app.count("SELECT COUNT(*) FROM test_results").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM uploads").await, 0);
    let summary = app.get(&format!("{job}/test-results/summary")).await.value();
    assert_eq!(summary["total"], 0);

    // Not a report at all, or not XML.
    app.upload(&format!("{job}/test-results"), Some(&token), &[("data.json", b"{\"tests\": []}".to_vec())])
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "JSON");
    app.upload(&format!("{job}/test-results"), Some(&token), &[("empty.xml", Vec::new())]).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "parse_error",
        "empty",
    );
    app.upload(&format!("{job}/test-results?format=tap"), Some(&token), &[("a.xml", read(JEST))]).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown report format 'tap'",
    );
    app.upload(&format!("{job}/test-results"), Some(&token), &[]).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "no report file",
    );
    let json_body = axum::http::Request::post(format!("{job}/test-results"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{}"))
        .unwrap();
    app.send(json_body).await.assert_error(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "multipart/form-data",
    );
    app.upload(&format!("{job}/test-results"), None, &[("a.xml", read(JEST))]).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "token",
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM test_results").await, 0);
}

/// 100,000 nested suites once overflowed a worker thread's stack and
/// aborted the server, failing every upload in flight. Now the file is
/// refused at the line where it passes the documented limit, while an
/// upload beside it is stored and the server keeps answering.
async fn deeply_nested_reports_are_refused_and_the_server_stays_up(app: TestApp) {
    let token = app.project("web").await;
    let job = app.run_and_job(&token, "web", "r1", None, "linux").await;
    let url = format!("{job}/test-results");
    let mut deep = String::new();
    for _ in 0..100_000 {
        deep.push_str("<testsuite name=\"s\">\n");
    }
    deep.push_str("<testcase name=\"t\"/>");
    deep.push_str(&"</testsuite>".repeat(100_000));
    let deep_files = [("deep.xml", deep.into_bytes())];
    let good_files = [("jest.xml", read(JEST))];
    let (refused, stored) =
        tokio::join!(app.upload(&url, Some(&token), &deep_files), app.upload(&url, Some(&token), &good_files));
    refused.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "parse_error", "deep.xml: line 257");
    assert!(refused.text().contains("nested more than 256 levels"), "{}", refused.text());
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM uploads").await, 1);
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK, "{}", health.text());
}

async fn format_override_and_raw_body(app: TestApp) {
    let token = app.project("web").await;
    let job = app.run_and_job(&token, "web", "r1", None, "win").await;
    // Forcing a format that does not match still reads the file's shape.
    let forced = app.upload(&format!("{job}/test-results?format=junit"), Some(&token), &[("a.trx", read(TRX))]).await;
    assert_eq!(forced.status, StatusCode::OK, "{}", forced.text());
    assert_eq!(forced.value()["files"][0]["format"], "junit");
    assert_eq!(forced.value()["total"], 0);
    let raw = axum::http::Request::post(format!("{job}/test-results?filename=jest.xml"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/xml")
        .body(axum::body::Body::from(read(JEST)))
        .unwrap();
    let res = app.send(raw).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.value()["files"][0]["filename"], "jest.xml");
    assert_eq!(res.value()["failed"], 4);
}

async fn body_limit_is_a_413(app: TestApp) {
    let _ = app;
    let small = TestApp::with_config(common::Backend::Sqlite, |c| c.max_body_bytes = 10_000).await;
    let token = small.project("web").await;
    let job = small.run_and_job(&token, "web", "r1", None, "linux").await;
    small.upload(&format!("{job}/test-results"), Some(&token), &[("big.xml", read(PULSAR))]).await.assert_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "10000 bytes",
    );
    assert_eq!(small.count("SELECT COUNT(*) FROM uploads").await, 0);
}

async fn results_list_failed_first_with_filters_search_and_pages(app: TestApp) {
    let token = app.project("web").await;
    let job = app.run_and_job(&token, "web", "r1", None, "linux").await;
    app.upload(&format!("{job}/test-results"), Some(&token), &[("pulsar.xml", read(PULSAR))]).await;
    let url = format!("{job}/test-results");
    let first = app.get(&format!("{url}?limit=5")).await.value();
    assert_eq!(first["total"], 808);
    let statuses: Vec<&str> =
        first["items"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses[0], "failed");
    assert_eq!(statuses[1], "skipped");
    assert_eq!(first["items"][0]["message"], "expected [1.2.1] but found [1.2.0]");

    let skipped = app.get(&format!("{url}?status=skipped&limit=100")).await.value();
    assert_eq!(skipped["total"], 14);
    assert_eq!(skipped["items"].as_array().unwrap().len(), 14);
    let page2 = app.get(&format!("{url}?status=passed&limit=50&offset=50")).await.value();
    assert_eq!(page2["total"], 793);
    assert_eq!(page2["offset"], 50);
    assert_eq!(page2["items"].as_array().unwrap().len(), 50);

    let search = app.get(&format!("{url}?q=REPLICATORTEST")).await.value();
    let total = search["total"].as_i64().unwrap();
    assert!(total > 0);
    assert!(
        search["items"].as_array().unwrap().iter().all(|r| r["classname"].as_str().unwrap().contains("ReplicatorTest"))
    );
    let literal = app.get(&format!("{url}?q=%25")).await.value();
    assert_eq!(literal["total"], 0, "% is matched literally");

    let slow = app.get(&format!("{url}?order=duration&limit=2")).await.value();
    let d0 = slow["items"][0]["duration_s"].as_f64().unwrap();
    let d1 = slow["items"][1]["duration_s"].as_f64().unwrap();
    assert!(d0 >= d1);
    app.get(&format!("{url}?status=broken")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown status 'broken'",
    );
    app.get(&format!("{url}?order=random")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown order 'random'",
    );
}

async fn reruns_are_stored_once_with_their_failure(app: TestApp) {
    let token = app.project("web").await;
    let job = app.run_and_job(&token, "web", "r1", None, "linux").await;
    let res = app.upload(&format!("{job}/test-results"), Some(&token), &[("report.xml", read(RERUN))]).await.value();
    assert_eq!(
        (res["total"].as_i64(), res["passed"].as_i64(), res["flaky"].as_i64(), res["failed"].as_i64()),
        (Some(3), Some(2), Some(1), Some(0))
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM test_results").await, 3);
    let flaky = app.get(&format!("{job}/test-results?status=flaky")).await.value();
    assert_eq!(flaky["total"], 1);
    let item = &flaky["items"][0];
    assert_eq!(item["name"], "TestWebSocketReconnectRace");
    assert_eq!(item["status"], "passed");
    assert_eq!(item["retries"], 1);
    assert_eq!(item["message"], "Failed");
    let id = item["id"].as_i64().unwrap();
    let page = app.get(&format!("{job}/test-results/{id}")).await.value();
    assert!(page["result"]["details"].as_str().unwrap().contains("--- FAIL: TestWebSocketReconnectRace"));
    assert!((page["result"]["duration_s"].as_f64().unwrap() - 11.1).abs() < 1e-6, "attempt durations add up");
}

async fn test_page_has_details_and_history_on_the_branch(app: TestApp) {
    let token = app.project("web").await;
    let mut ids = Vec::new();
    for (run, branch) in [("r1", "main"), ("r2", "dev"), ("r3", "main")] {
        let job = app.run_and_job(&token, "web", run, Some(branch), "linux").await;
        app.upload(&format!("{job}/test-results"), Some(&token), &[("jest.xml", read(JEST))]).await;
        let failed = app.get(&format!("{job}/test-results?status=failed&order=name&limit=1")).await.value();
        ids.push((job, failed["items"][0]["id"].as_i64().unwrap()));
    }
    let (job, id) = &ids[2];
    let page = app.get(&format!("{job}/test-results/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let v = page.value();
    assert_eq!(v["run"]["name"], "r3");
    assert_eq!(v["result"]["status"], "failed");
    assert!(v["result"]["details"].as_str().unwrap().contains("at "), "stack trace kept");
    let history: Vec<&str> = v["history"].as_array().unwrap().iter().map(|h| h["run_name"].as_str().unwrap()).collect();
    assert_eq!(history, ["r3", "r1"], "same test, same branch, newest first");
    app.get(&format!("{job}/test-results/999999")).await.assert_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "test result 999999",
    );
    app.get(&format!("{job}/test-results/abc")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "id must be a number, got 'abc'",
    );
    // A result of another job is not reachable through this job.
    let (other_job, other_id) = &ids[0];
    assert_ne!(other_job, job);
    app.get(&format!("{job}/test-results/{other_id}")).await.assert_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "test result",
    );
}

async fn ui_pages_render_without_javascript(app: TestApp) {
    let token = app.project("web").await;
    let job = app.run_and_job(&token, "web", "nightly <b>1</b>", Some("main"), "linux").await;
    app.upload(&format!("{job}/test-results"), Some(&token), &[("jest.xml", read(JEST))]).await;
    let home = app.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text().contains("href=\"/projects/web\""), "{}", home.text());
    let runs = app.get("/projects/web").await;
    assert_eq!(runs.status, StatusCode::OK);
    let html = runs.text();
    assert!(html.contains("nightly &lt;b&gt;1&lt;/b&gt;"), "names are escaped: {html}");
    assert!(!html.contains("<b>1</b>"));
    let missing = app.get("/projects/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.text().contains("project &#x27;nope&#x27; not found")
            || missing.text().contains("project 'nope' not found"),
        "{}",
        missing.text()
    );
    let no_page = app.get("/no/such/page").await;
    assert_eq!(no_page.status, StatusCode::NOT_FOUND);
}

both_backends! {
    upload_counts_rolls_up_and_is_idempotent => upload_counts_rolls_up_and_is_idempotent;
    a_bad_file_stores_nothing_from_the_request => a_bad_file_stores_nothing_from_the_request;
    format_override_and_raw_body => format_override_and_raw_body;
    deeply_nested_reports_are_refused_and_the_server_stays_up => deeply_nested_reports_are_refused_and_the_server_stays_up;
    body_limit_is_a_413 => body_limit_is_a_413;
    results_list_failed_first_with_filters_search_and_pages => results_list_failed_first_with_filters_search_and_pages;
    reruns_are_stored_once_with_their_failure => reruns_are_stored_once_with_their_failure;
    test_page_has_details_and_history_on_the_branch => test_page_has_details_and_history_on_the_branch;
    ui_pages_render_without_javascript => ui_pages_render_without_javascript;
}
