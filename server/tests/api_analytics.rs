//! Test analytics through the REST API, on SQLite and on PostgreSQL:
//! failures marked new or known at ingest (new ones listed first), failure
//! summaries, and the comparison of two jobs or two runs.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::Value;

/// A JUnit report of `(name, outcome, seconds)`, where outcome is `pass`,
/// `fail:MESSAGE`, `skip` or `flaky`.
fn junit(cases: &[(&str, &str, f64)]) -> Vec<u8> {
    let mut xml = String::from("<testsuites><testsuite name=\"unit\">");
    for (name, outcome, time) in cases {
        xml.push_str(&format!("<testcase classname=\"lib\" name=\"{name}\" time=\"{time}\">"));
        if let Some(msg) = outcome.strip_prefix("fail:") {
            xml.push_str(&format!(
                "<failure message=\"thread '{name}' panicked at src/lib.rs:9:5\">thread '{name}' panicked at src/lib.rs:9:5:\n{msg}\nstack backtrace:\n   0: rust_begin_unwind\n             at /rustc/x/panicking.rs:1:1</failure>"
            ));
        } else if *outcome == "skip" {
            xml.push_str("<skipped/>");
        } else if *outcome == "flaky" {
            xml.push_str("<flakyFailure message=\"first attempt failed\">boom</flakyFailure>");
        }
        xml.push_str("</testcase>");
    }
    xml.push_str("</testsuite></testsuites>");
    xml.into_bytes()
}

async fn upload(app: &TestApp, token: &str, run: &str, job: &str, cases: &[(&str, &str, f64)]) -> (i64, i64) {
    let path = app.run_and_job(token, "web", run, Some("main"), job).await;
    let res = app.upload(&format!("{path}/test-results"), Some(token), &[("report.xml", junit(cases))]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let detail = app.get(&path).await.value();
    (detail["run"]["id"].as_i64().expect("run id"), detail["job"]["id"].as_i64().expect("job id"))
}

fn names(list: &Value) -> Vec<String> {
    list.as_array().expect("a list").iter().map(|t| t["name"].as_str().unwrap_or_default().to_owned()).collect()
}

const LEFT_RIGHT: &str = "assertion `left == right` failed\n  left: 1\n right: 2";

async fn failures_are_new_or_known_and_runs_compare(app: TestApp) {
    let token = app.project("web").await;
    let (r1, j1) = upload(
        &app,
        &token,
        "r1",
        "linux",
        &[
            ("a", "pass", 0.1),
            ("b", LEFT_RIGHT_FAIL, 0.1),
            ("c", "fail:oops", 0.1),
            ("d", "pass", 1.0),
            ("e", "pass", 0.1),
            ("f", "pass", 0.1),
            ("h", "fail:sometimes", 0.1),
        ],
    )
    .await;
    let (r2, j2) = upload(
        &app,
        &token,
        "r2",
        "linux",
        &[
            ("a", "fail:now broken", 0.1),
            ("b", LEFT_RIGHT_FAIL, 0.1),
            ("c", "pass", 0.1),
            ("d", "pass", 3.0),
            ("e", "skip", 0.0),
            ("g", "fail:added broken", 0.1),
            ("h", "flaky", 0.1),
        ],
    )
    .await;
    let (_, windows) = upload(&app, &token, "r2", "windows", &[("w", "pass", 0.1)]).await;

    // The job knows its previous job, and its failures are marked at ingest.
    let job = app.get("/api/v1/projects/web/runs/r2/jobs/linux").await.value();
    assert_eq!(job["job"]["previous_job_id"].as_i64(), Some(j1));
    let list = app.get("/api/v1/projects/web/runs/r2/jobs/linux/test-results?status=failed").await.value();
    let items = &list["items"];
    // New failures first (a, g: report order), then known ones (b).
    assert_eq!(names(items), vec!["a", "g", "b"]);
    assert_eq!(items[0]["failing_since"]["new"], true);
    assert_eq!(items[0]["failing_since"]["run_id"].as_i64(), Some(r2));
    assert_eq!(items[2]["failing_since"]["new"], false);
    assert_eq!(items[2]["failing_since"]["run"], "r1");
    assert_eq!(items[2]["summary"], LEFT_RIGHT);
    assert_eq!(items[0]["summary"], "now broken");
    // The default order puts the same failures first too.
    let all = app.get("/api/v1/projects/web/runs/r2/jobs/linux/test-results?limit=2").await.value();
    assert_eq!(names(&all["items"]), vec!["a", "g"]);
    let next = app.get("/api/v1/projects/web/runs/r2/jobs/linux/test-results?limit=2&offset=2").await.value();
    assert_eq!(names(&next["items"])[0], "b");
    assert_eq!(next["items"][1]["status"], "skipped");
    assert!(next["items"][1]["failing_since"].is_null());

    // A third run where b still fails: still failing since r1.
    let (_, j3) = upload(&app, &token, "r3", "linux", &[("b", LEFT_RIGHT_FAIL, 0.1)]).await;
    let third = app.get("/api/v1/projects/web/runs/r3/jobs/linux/test-results").await.value();
    assert_eq!(third["items"][0]["failing_since"]["run"], "r1");

    // Job vs job.
    let c = app.get(&format!("/api/v1/compare/tests?base={j1}&head={j2}")).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text());
    let c = c.value();
    let counts = &c["counts"];
    assert_eq!(
        [
            &counts["compared"],
            &counts["new_failures"],
            &counts["fixed"],
            &counts["still_failing"],
            &counts["newly_skipped"],
            &counts["added"],
            &counts["removed"],
            &counts["slower"]
        ]
        .map(|v| v.as_i64().unwrap()),
        [6, 2, 2, 1, 1, 1, 1, 1]
    );
    assert_eq!(names(&c["new_failures"]), vec!["a", "g"]);
    // Listed in key order (a hash of the name): compare as a set.
    let mut fixed = names(&c["fixed"]);
    fixed.sort();
    assert_eq!(fixed, vec!["c", "h"]);
    assert_eq!(names(&c["still_failing"]), vec!["b"]);
    assert_eq!(c["still_failing"][0]["failing_since"]["run"], "r1");
    assert!(c["still_failing"][0]["base"]["result_id"].as_i64().is_some());
    assert_eq!(c["still_failing"][0]["head"]["summary"], LEFT_RIGHT);
    assert_eq!(names(&c["newly_skipped"]), vec!["e"]);
    assert_eq!(names(&c["added"]), vec!["g"]);
    assert!(c["added"][0]["base"].is_null());
    assert_eq!(names(&c["removed"]), vec!["f"]);
    assert!(c["removed"][0]["head"].is_null());
    assert_eq!(names(&c["durations"]), vec!["d"]);
    assert_eq!(c["durations"][0]["duration_change_s"].as_f64(), Some(2.0));
    assert_eq!(c["base"]["run"], "r1");
    assert_eq!(c["head"]["jobs"][0]["id"].as_i64(), Some(j2));
    assert!(c["new_failures"][0]["job_key"].is_null());

    // Run vs run: jobs paired by key, the windows job's tests added.
    let c = app.get(&format!("/api/v1/compare/tests?base_run={r1}&head_run={r2}")).await.value();
    assert_eq!(c["counts"]["added"], 2);
    assert_eq!(names(&c["added"]), vec!["g", "w"]);
    assert_eq!(c["added"][1]["job_key"], "windows");
    assert_eq!(c["added"][1]["head"]["job_id"].as_i64(), Some(windows));
    assert_eq!(c["counts"]["new_failures"], 2);
    assert_eq!(c["head"]["jobs"].as_array().unwrap().len(), 2);

    // Limits list fewer, count all.
    let c = app.get(&format!("/api/v1/compare/tests?base={j1}&head={j2}&limit=1")).await.value();
    assert_eq!((names(&c["new_failures"]).len(), c["counts"]["new_failures"].as_i64()), (1, Some(2)));
    // Against itself: nothing changed.
    let c = app.get(&format!("/api/v1/compare/tests?base={j3}&head={j3}")).await.value();
    assert_eq!((c["counts"]["new_failures"].as_i64(), c["counts"]["still_failing"].as_i64()), (Some(0), Some(1)));

    // Bad requests name the problem; unknown jobs are 404.
    app.get("/api/v1/compare/tests").await.assert_error(StatusCode::BAD_REQUEST, "bad_request", "give two jobs");
    app.get(&format!("/api/v1/compare/tests?base={j1}")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "head",
    );
    app.get(&format!("/api/v1/compare/tests?base={j1}&head_run={r2}")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "not a job with a run",
    );
    app.get(&format!("/api/v1/compare/tests?base={j1}&head={j2}&limit=0")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "limit",
    );
    app.get(&format!("/api/v1/compare/tests?base={j1}&head=999999")).await.assert_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "job #999999",
    );
    app.get("/api/v1/compare/tests?base=x&head=1").await.assert_error(StatusCode::BAD_REQUEST, "bad_request", "base");
}

/// Results stored before digests existed are compared from their rows.
async fn uploads_without_a_digest_are_read_from_their_results(app: TestApp) {
    let token = app.project("web").await;
    let (_, j1) = upload(&app, &token, "r1", "linux", &[("a", "pass", 0.1), ("b", "pass", 0.1)]).await;
    let (_, j2) = upload(&app, &token, "r2", "linux", &[("a", "fail:x", 0.1), ("b", "pass", 0.1)]).await;
    let with = app.get(&format!("/api/v1/compare/tests?base={j1}&head={j2}")).await.value();
    server::on_db!(&app.db, p => sqlx::query("DELETE FROM test_digests").execute(p).await.map(|_| ()))
        .expect("delete digests");
    let without = app.get(&format!("/api/v1/compare/tests?base={j1}&head={j2}")).await.value();
    assert_eq!(with["counts"], without["counts"]);
    assert_eq!(names(&without["new_failures"]), vec!["a"]);
}

const LEFT_RIGHT_FAIL: &str = "fail:assertion `left == right` failed\n  left: 1\n right: 2";

both_backends! {
    failures_are_new_or_known_and_runs_compare => failures_are_new_or_known_and_runs_compare;
    uploads_without_a_digest_are_read_from_their_results => uploads_without_a_digest_are_read_from_their_results;
}
