//! Test analytics through the REST API, on SQLite and on PostgreSQL:
//! failures marked new or known at ingest (new ones listed first), failure
//! summaries, and the comparison of two jobs or two runs.

mod common;

use axum::http::StatusCode;
use common::{TestApp, as_project_admin, put_json};
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
    upload_on(app, token, run, Some("main"), job, cases).await
}

async fn upload_on(
    app: &TestApp,
    token: &str,
    run: &str,
    branch: Option<&str>,
    job: &str,
    cases: &[(&str, &str, f64)],
) -> (i64, i64) {
    let path = app.run_and_job(token, "web", run, branch, job).await;
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

/// The project's flaky tests, by name.
async fn flaky(app: &TestApp, query: &str) -> Vec<Value> {
    let res = app.get(&format!("/api/v1/projects/web/flaky-tests{query}")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.value()["tests"].as_array().expect("tests").clone()
}

fn flaky_named<'a>(list: &'a [Value], name: &str) -> Option<&'a Value> {
    list.iter().find(|t| t["name"] == name)
}

async fn flaky_tests_are_caught_by_each_rule_and_recover(app: TestApp) {
    let token = app.project("web").await;
    // Flips on main: wobbly goes F P F P; steady always fails; stable passes.
    for (i, w) in ["fail:w", "pass", "fail:w", "pass"].iter().enumerate() {
        upload(
            &app,
            &token,
            &format!("f{i}"),
            "unit",
            &[("wobbly", w, 0.1), ("steady", "fail:s", 0.1), ("stable", "pass", 0.1)],
        )
        .await;
    }
    let list = flaky(&app, "").await;
    let wobbly = flaky_named(&list, "wobbly").expect("wobbly is flaky");
    assert_eq!(wobbly["rule"], "flips");
    assert_eq!(wobbly["trend"], "FPFP");
    assert_eq!(wobbly["rate"].as_f64(), Some(0.5));
    assert_eq!(wobbly["last_run"], "f3");
    assert_eq!(wobbly["job_key"], "unit");
    assert!(flaky_named(&list, "steady").is_none(), "a steady failure is not flaky");
    assert!(flaky_named(&list, "stable").is_none());
    // Off the watched branches the window does not move.
    for (i, w) in ["fail:w", "pass", "fail:w", "pass"].iter().enumerate() {
        upload_on(&app, &token, &format!("b{i}"), Some("feature"), "other", &[("branchy", w, 0.1)]).await;
    }
    assert!(flaky_named(&flaky(&app, "").await, "branchy").is_none());

    // Retries: passed only after a failed attempt.
    upload(
        &app,
        &token,
        "f4",
        "unit",
        &[("retried", "flaky", 0.1), ("wobbly", "pass", 0.1), ("steady", "fail:s", 0.1)],
    )
    .await;
    let list = flaky(&app, "?rule=retries").await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "retried");

    // Same revision: a re-run of the job on revision X goes the other way.
    let (_, _) = upload_on(&app, &token, "x1", Some("release"), "unit", &[("rev", "fail:r", 0.1)]).await;
    server::on_db!(&app.db, p => sqlx::query("UPDATE runs SET revision = 'X' WHERE name IN ('x1', 'x2')").execute(p).await.map(|_| ()))
        .expect("revision");
    let path = app.run_and_job(&token, "web", "x2", Some("release"), "unit").await;
    server::on_db!(&app.db, p => sqlx::query("UPDATE runs SET revision = 'X' WHERE name IN ('x1', 'x2')").execute(p).await.map(|_| ()))
        .expect("revision");
    let res =
        app.upload(&format!("{path}/test-results"), Some(&token), &[("r.xml", junit(&[("rev", "pass", 0.1)]))]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let list = flaky(&app, "?rule=same_revision").await;
    let rev = flaky_named(&list, "rev").expect("rev is flaky");
    assert_eq!((rev["last_run"].as_str(), rev["other_run"].as_str()), (Some("x2"), Some("x1")));

    // An infrastructure failure (19 of 20 failing) is no evidence.
    let before = flaky_named(&flaky(&app, "").await, "wobbly").unwrap()["flakes"].clone();
    let mut many: Vec<(String, &str, f64)> = (0..19).map(|i| (format!("t{i}"), "fail:infra", 0.1)).collect();
    many.push(("wobbly".into(), "fail:w", 0.1));
    let cases: Vec<(&str, &str, f64)> = many.iter().map(|(n, o, t)| (n.as_str(), *o, *t)).collect();
    upload(&app, &token, "infra", "unit", &cases).await;
    let after = flaky(&app, "").await;
    assert_eq!(flaky_named(&after, "wobbly").unwrap()["flakes"], before);
    assert!(flaky_named(&after, "t0").is_none());

    // The job page marks flaky tests.
    let rows = app.get("/api/v1/projects/web/runs/f4/jobs/unit/test-results").await.value();
    let marked: Vec<&Value> = rows["items"].as_array().unwrap().iter().filter(|r| !r["flaky_test"].is_null()).collect();
    assert_eq!(marked.len(), 2, "{rows}");

    // Rules: admins set them; a tighter recovery lets wobbly recover.
    let url = "/api/v1/projects/web/flaky-rules";
    assert_eq!(app.get(url).await.value()["recovery_runs"], 20);
    let bearer = |t: String| move |r: axum::http::request::Builder| r.header("authorization", format!("Bearer {t}"));
    let quick =
        serde_json::json!({"branches": ["main"], "window": 20, "min_flips": 3, "recovery_runs": 2, "infra_ratio": 0.8});
    put_json(&app, url, bearer(token.clone()), &quick).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "cannot manage",
    );
    let admin = as_project_admin(&app, "web").await;
    let bad =
        serde_json::json!({"branches": ["main"], "window": 40, "min_flips": 3, "recovery_runs": 2, "infra_ratio": 0.8});
    put_json(&app, url, &admin, &bad).await.assert_error(StatusCode::BAD_REQUEST, "bad_request", "window");
    let res = put_json(&app, url, &admin, &quick).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'flaky.rules'").await, 1);
    for i in 0..2 {
        upload(&app, &token, &format!("clean{i}"), "unit", &[("wobbly", "pass", 0.1)]).await;
    }
    assert!(flaky_named(&flaky(&app, "").await, "wobbly").is_none(), "recovered after two clean runs");
    let all = flaky(&app, "?state=all&sort=name").await;
    let w = flaky_named(&all, "wobbly").expect("listed with state=all");
    assert_eq!(w["flaky"], false);
    assert!(w["recovered_at"].is_string());

    // Bad queries name the problem.
    for (q, needle) in [("?sort=bogus", "sort"), ("?rule=bogus", "rule"), ("?state=bogus", "state")] {
        app.get(&format!("/api/v1/projects/web/flaky-tests{q}")).await.assert_error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            needle,
        );
    }
}

const LEFT_RIGHT_FAIL: &str = "fail:assertion `left == right` failed\n  left: 1\n right: 2";

both_backends! {
    failures_are_new_or_known_and_runs_compare => failures_are_new_or_known_and_runs_compare;
    uploads_without_a_digest_are_read_from_their_results => uploads_without_a_digest_are_read_from_their_results;
    flaky_tests_are_caught_by_each_rule_and_recover => flaky_tests_are_caught_by_each_rule_and_recover;
}
