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

async fn delete(app: &TestApp, path: &str, token: Option<&str>) -> common::Resp {
    let mut req = axum::http::Request::delete(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    app.send(req.body(axum::body::Body::empty()).unwrap()).await
}

fn quarantine_body(name: &str, reason: &str) -> Value {
    serde_json::json!({"suite": "unit", "classname": "lib", "name": name, "reason": reason})
}

async fn job_of(app: &TestApp, run: &str) -> Value {
    app.get(&format!("/api/v1/projects/web/runs/{run}/jobs/linux")).await.value()
}

/// Quarantine: a member quarantines a failing test and its job turns
/// green with the failure still listed; later failures are counted apart;
/// CI reads the list; lifting and expiry make failures count again.
/// An upload to a job that then completes (so its result is derived).
async fn done(app: &TestApp, token: &str, run: &str, job: &str, cases: &[(&str, &str, f64)]) {
    upload(app, token, run, job, cases).await;
    let path = format!("/api/v1/projects/web/runs/{run}/jobs/{job}");
    let res = app.patch_json(&path, Some(token), &serde_json::json!({"state": "completed"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

async fn quarantined_failures_do_not_turn_jobs_red(app: TestApp) {
    let token = app.project("web").await;
    let url = "/api/v1/projects/web/quarantine";
    done(&app, &token, "q1", "linux", &[("a", "pass", 0.1), ("b", "fail:b broke", 0.1)]).await;
    let job = job_of(&app, "q1").await;
    assert_eq!(job["job"]["effective_result"], "failure");
    assert_eq!(job["run"]["status"], "failed");

    // Bad requests name the problem; nothing is stored.
    app.post_json(url, None, &quarantine_body("b", "flaky")).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "token",
    );
    let viewer = app.token("web", server::db::tokens::Scope::Read).await;
    app.post_json(url, Some(&viewer), &quarantine_body("b", "flaky")).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "read-only",
    );
    app.post_json(url, Some(&token), &quarantine_body("b", "  ")).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "reason",
    );
    app.post_json(url, Some(&token), &quarantine_body("nope", "flaky")).await.assert_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "lib.nope",
    );
    let past = serde_json::json!({"classname": "lib", "suite": "unit", "name": "b", "reason": "x",
        "expires_at": "2001-01-01T00:00:00Z"});
    app.post_json(url, Some(&token), &past).await.assert_error(StatusCode::BAD_REQUEST, "bad_request", "expires_at");
    assert_eq!(app.count("SELECT COUNT(*) FROM quarantines").await, 0);

    // Quarantined: the job that prompted it turns green, its failure listed.
    let res = app.post_json(url, Some(&token), &quarantine_body("b", "flaky on CI, bug #12")).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let made = res.value();
    assert_eq!(made["rescored_jobs"], 1);
    assert_eq!(made["quarantine"]["test"], "lib.b");
    assert_eq!(made["quarantine"]["state"], "active");
    assert_eq!(made["quarantine"]["failures"], 1);
    let id = made["quarantine"]["id"].as_i64().unwrap();
    let job = job_of(&app, "q1").await;
    assert_eq!(job["job"]["effective_result"], "success", "{job}");
    assert_eq!(job["job"]["counts"]["failed"], 1);
    assert_eq!(job["job"]["counts"]["quarantined"], 1);
    assert_eq!(job["run"]["status"], "passed");
    assert_eq!(job["run"]["counts"]["quarantined"], 1);
    let rows = app.get("/api/v1/projects/web/runs/q1/jobs/linux/test-results?status=failed").await.value();
    assert_eq!(names(&rows["items"]), vec!["b"]);
    assert_eq!(rows["items"][0]["quarantined"], true);
    app.post_json(url, Some(&token), &quarantine_body("b", "again")).await.assert_error(
        StatusCode::CONFLICT,
        "conflict",
        "already quarantined",
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'test.quarantine'").await, 1);

    // CI reads it.
    let list = app.get(url).await.value();
    let tests: Vec<&str> = list["tests"].as_array().unwrap().iter().map(|t| t["test"].as_str().unwrap()).collect();
    assert_eq!(tests, vec!["lib.b"]);
    app.get(&format!("{url}?state=bogus")).await.assert_error(StatusCode::BAD_REQUEST, "bad_request", "state");

    // Later failures are counted apart at ingest; other failures still count.
    let path = app.run_and_job(&token, "web", "q2", Some("main"), "linux").await;
    let res = app
        .upload(
            &format!("{path}/test-results"),
            Some(&token),
            &[("r.xml", junit(&[("a", "pass", 0.1), ("b", "fail:x", 0.1)]))],
        )
        .await;
    assert_eq!(res.value()["quarantined"], 1, "{}", res.text());
    let res = app.patch_json(&path, Some(&token), &serde_json::json!({"state": "completed"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(job_of(&app, "q2").await["job"]["effective_result"], "success");
    done(&app, &token, "q3", "linux", &[("a", "fail:a broke", 0.1), ("b", "fail:x", 0.1)]).await;
    let q3 = job_of(&app, "q3").await;
    assert_eq!(q3["job"]["effective_result"], "failure");
    assert_eq!(q3["job"]["counts"]["quarantined"], 1);
    // Clean executions count towards lifting.
    for run in ["q4", "q5"] {
        done(&app, &token, run, "linux", &[("a", "pass", 0.1), ("b", "pass", 0.1)]).await;
    }
    let list = app.get(url).await.value();
    assert_eq!(list["tests"][0]["clean_runs"], 2);
    assert_eq!(list["tests"][0]["failures"], 3);
    assert_eq!(list["tests"][0]["suggest_lift"], false);

    // Lifted: failures count again from then on; q1 keeps its verdict.
    delete(&app, &format!("{url}/{id}"), Some(&viewer)).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "read-only",
    );
    let res = delete(&app, &format!("{url}/{id}"), Some(&token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.value()["state"], "lifted");
    delete(&app, &format!("{url}/{id}"), Some(&token)).await.assert_error(StatusCode::CONFLICT, "conflict", "lifted");
    delete(&app, &format!("{url}/9999"), Some(&token)).await.assert_error(StatusCode::NOT_FOUND, "not_found", "9999");
    done(&app, &token, "q6", "linux", &[("b", "fail:x", 0.1)]).await;
    assert_eq!(job_of(&app, "q6").await["job"]["effective_result"], "failure");
    assert_eq!(job_of(&app, "q1").await["job"]["effective_result"], "success");
    assert!(app.get(url).await.value()["tests"].as_array().unwrap().is_empty());
    let all = app.get(&format!("{url}?state=all")).await.value();
    assert_eq!(all["tests"][0]["state"], "lifted");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'test.unquarantine'").await, 1);

    // Expiry: once past, failures count again; the test can be quarantined anew.
    let soon = serde_json::json!({"classname": "lib", "suite": "unit", "name": "a", "reason": "for a day",
        "expires_at": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()});
    let res = app.post_json(url, Some(&token), &soon).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.value()["rescored_jobs"], 1, "q3's failure of a");
    assert_eq!(job_of(&app, "q3").await["job"]["effective_result"], "success");
    server::on_db!(&app.db, p => sqlx::query("UPDATE quarantines SET expires_at = '2001-01-01T00:00:00+00:00' WHERE name = 'a'")
        .execute(p).await.map(|_| ()))
    .expect("expire it");
    done(&app, &token, "q7", "linux", &[("a", "fail:a broke", 0.1)]).await;
    assert_eq!(job_of(&app, "q7").await["job"]["effective_result"], "failure");
    let all = app.get(&format!("{url}?state=all")).await.value();
    let a = all["tests"].as_array().unwrap().iter().find(|t| t["name"] == "a").unwrap().clone();
    assert_eq!(a["state"], "expired");
    let res = app.post_json(url, Some(&token), &quarantine_body("a", "again")).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.value()["rescored_jobs"], 1, "q7's failure of a");
    assert_eq!(job_of(&app, "q7").await["job"]["effective_result"], "success");
}

/// Failure clusters: failures that differ only in values share a cluster
/// across tests and jobs; the job's failures are grouped by it; members
/// name it and attach a link, shown on every failure that matches.
async fn failures_cluster_by_signature_and_clusters_are_named(app: TestApp) {
    let token = app.project("web").await;
    upload(
        &app,
        &token,
        "c1",
        "linux",
        &[
            ("a", "fail:expected 3 but was 2", 0.1),
            ("b", "fail:expected 10 but was 7", 0.1),
            ("c", "fail:connection refused to 127.0.0.1:5432", 0.1),
            ("d", "pass", 0.1),
            ("f", "flaky", 0.1),
        ],
    )
    .await;
    upload(
        &app,
        &token,
        "c2",
        "windows",
        &[("a", "fail:expected 4 but was 1", 0.1), ("e", "fail:expected 1 but was 0", 0.1)],
    )
    .await;
    let list = app.get("/api/v1/projects/web/failure-clusters").await.value();
    let clusters = list["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 2, "{list}");
    let expected = clusters.iter().find(|c| c["example"] == "expected 3 but was 2").unwrap_or_else(|| panic!("{list}"));
    assert_eq!(expected["tests"], 3, "a, b and e: {expected}");
    assert_eq!(expected["jobs"], 2);
    assert_eq!(expected["failures"], 4);
    assert_eq!(expected["first_run"], "c1");
    assert_eq!(expected["last_run"], "c2");
    assert!(expected["pattern"].as_str().unwrap().contains("expected <n> but was <n>"), "{expected}");
    let id = expected["id"].as_i64().unwrap();

    // The job's failures, grouped: the biggest cluster first.
    let groups = app.get("/api/v1/projects/web/runs/c1/jobs/linux/failure-clusters").await.value();
    let names_in = |g: &Value| -> Vec<String> {
        g["tests"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(groups.as_array().unwrap().len(), 2, "{groups}");
    assert_eq!(groups[0]["cluster"]["id"].as_i64(), Some(id));
    assert_eq!(names_in(&groups[0]), vec!["a", "b"]);
    assert_eq!(names_in(&groups[1]), vec!["c"]);
    // Each failure in the results list names its cluster; passes and
    // tests that passed on a retry have none.
    let rows = app.get("/api/v1/projects/web/runs/c1/jobs/linux/test-results").await.value();
    for r in rows["items"].as_array().unwrap() {
        match r["name"].as_str().unwrap() {
            "a" | "b" => assert_eq!(r["cluster"]["id"].as_i64(), Some(id)),
            "c" => assert!(r["cluster"]["id"].as_i64().is_some_and(|c| c != id)),
            _ => assert!(r["cluster"].is_null(), "{r}"),
        }
    }

    // The cluster's page: its tests and jobs.
    let detail = app.get(&format!("/api/v1/projects/web/failure-clusters/{id}")).await.value();
    let mut tests: Vec<&str> =
        detail["tests"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    tests.sort();
    assert_eq!(tests, vec!["a", "b", "e"]);
    let a = detail["tests"].as_array().unwrap().iter().find(|t| t["name"] == "a").unwrap();
    assert_eq!(a["failures"], 2);
    assert_eq!(a["last_run"], "c2");
    assert_eq!(detail["jobs"].as_array().unwrap().len(), 2);
    app.get("/api/v1/projects/web/failure-clusters/999999").await.assert_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "999999",
    );

    // Named, with a link, by members; shown on every matching failure.
    let url = format!("/api/v1/projects/web/failure-clusters/{id}");
    let bearer = |t: String| move |r: axum::http::request::Builder| r.header("authorization", format!("Bearer {t}"));
    let viewer = app.token("web", server::db::tokens::Scope::Read).await;
    let named = serde_json::json!({"name": "Off-by-one in calc", "link": "https://bugs.example.com/12"});
    put_json(&app, &url, bearer(viewer), &named).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "read-only");
    let bad = serde_json::json!({"name": "x", "link": "javascript:alert(1)"});
    put_json(&app, &url, bearer(token.clone()), &bad).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "link",
    );
    let res = put_json(&app, &url, bearer(token.clone()), &named).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.value()["name"], "Off-by-one in calc");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cluster.name'").await, 1);
    let rows = app.get("/api/v1/projects/web/runs/c2/jobs/windows/test-results").await.value();
    for r in rows["items"].as_array().unwrap() {
        assert_eq!(r["cluster"]["name"], "Off-by-one in calc", "{r}");
        assert_eq!(r["cluster"]["link"], "https://bugs.example.com/12");
    }
    // Empty values clear the name.
    let res = put_json(&app, &url, bearer(token.clone()), &serde_json::json!({"name": "", "link": ""})).await;
    assert!(res.value()["name"].is_null(), "{}", res.text());

    // A second upload to a job already in the cluster: its failures
    // added, the job counted once, the new test counted.
    upload(&app, &token, "c1", "linux", &[("g", "fail:expected 5 but was 6", 0.1)]).await;
    let detail = app.get(&url).await.value();
    assert_eq!(
        (
            detail["cluster"]["failures"].as_i64(),
            detail["cluster"]["tests"].as_i64(),
            detail["cluster"]["jobs"].as_i64()
        ),
        (Some(5), Some(4), Some(2)),
        "{detail}"
    );
    let linux = detail["jobs"].as_array().unwrap().iter().find(|j| j["run"] == "c1").unwrap();
    assert_eq!(linux["failures"], 3, "a, b and g: {linux}");

    // More signatures and failures in one upload than one statement
    // writes: every one clustered and counted.
    let letters = |mut i: usize| {
        let mut s = String::new();
        loop {
            s.push((b'a' + (i % 26) as u8) as char);
            i /= 26;
            if i == 0 {
                break s;
            }
        }
    };
    let owned: Vec<(String, String)> =
        (0..2_500).map(|i| (format!("many{i}"), format!("fail:broken {} here", letters(i)))).collect();
    let cases: Vec<(&str, &str, f64)> = owned.iter().map(|(n, m)| (n.as_str(), m.as_str(), 0.1)).collect();
    upload(&app, &token, "c3", "linux", &cases).await;
    let in_c3 = "SELECT COUNT(*) FROM failure_clusters WHERE last_run_id = (SELECT id FROM runs WHERE name = 'c3')";
    assert_eq!(app.count(in_c3).await, 2_500);
    let sums = "SELECT CAST(SUM(tests + jobs + failures) AS BIGINT) FROM failure_clusters \
                WHERE last_run_id = (SELECT id FROM runs WHERE name = 'c3')";
    assert_eq!(app.count(sums).await, 7_500);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM cluster_failures \
             WHERE job_id = (SELECT j.id FROM jobs j JOIN runs r ON r.id = j.run_id WHERE r.name = 'c3')"
        )
        .await,
        2_500
    );
}

/// Durations: a job's slowest tests, the tests of its key that got slower
/// (medians of two windows of jobs), and one test's durations over time.
async fn slowest_and_slower_tests_and_a_tests_durations(app: TestApp) {
    let token = app.project("web").await;
    for (i, t) in [1.0, 1.0, 2.0, 2.2].iter().enumerate() {
        upload(
            &app,
            &token,
            &format!("d{i}"),
            "linux",
            &[("a", "pass", 0.1), ("slowb", "pass", *t), ("big", "pass", 5.0)],
        )
        .await;
    }
    let d = app.get("/api/v1/projects/web/runs/d3/jobs/linux/durations?window=2").await.value();
    assert_eq!(names(&d["slowest"]), vec!["big", "slowb", "a"]);
    assert_eq!(d["slowest"][1]["duration_s"].as_f64(), Some(2.2));
    assert_eq!((d["recent_jobs"].as_i64(), d["before_jobs"].as_i64()), (Some(2), Some(2)));
    assert_eq!(names(&d["slower"]), vec!["slowb"], "{d}");
    assert_eq!(d["slower"][0]["before_s"].as_f64(), Some(1.0));
    assert!((d["slower"][0]["duration_s"].as_f64().unwrap() - 2.1).abs() < 1e-6);
    // With a window of 5 the job key has too little history to compare.
    let d5 = app.get("/api/v1/projects/web/runs/d3/jobs/linux/durations").await.value();
    assert_eq!((d5["recent_jobs"].as_i64(), d5["before_jobs"].as_i64()), (Some(4), Some(0)));
    assert!(d5["slower"].as_array().unwrap().is_empty());
    app.get("/api/v1/projects/web/runs/d3/jobs/linux/durations?window=1").await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "window",
    );

    let id = d["slowest"][1]["result_id"].as_i64().unwrap();
    let t = app.get(&format!("/api/v1/projects/web/runs/d3/jobs/linux/test-results/{id}/durations")).await.value();
    assert_eq!(t["name"], "slowb");
    let secs: Vec<f64> = t["points"].as_array().unwrap().iter().map(|p| p["duration_s"].as_f64().unwrap()).collect();
    assert_eq!(secs, vec![1.0, 1.0, 2.0, 2.2], "oldest first");
    app.get("/api/v1/projects/web/runs/d3/jobs/linux/test-results/999999/durations").await.assert_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "999999",
    );
}

/// A flaky test's owner is the `owner` property of its last flaky result;
/// the search finds tests by owner too.
async fn flaky_tests_name_their_owner(app: TestApp) {
    let token = app.project("web").await;
    for (i, failed) in [true, false, true, false].iter().enumerate() {
        let failure = if *failed { "<failure message=\"boom\">boom</failure>" } else { "" };
        let xml = format!(
            "<testsuite name=\"unit\"><testcase classname=\"lib\" name=\"owned\"><properties>\
             <property name=\"Owner\" value=\" team-parsers \"/></properties>{failure}</testcase></testsuite>"
        );
        let path = app.run_and_job(&token, "web", &format!("o{i}"), Some("main"), "unit").await;
        let res = app.upload(&format!("{path}/test-results"), Some(&token), &[("r.xml", xml.into_bytes())]).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
    let list = flaky(&app, "").await;
    let owned = flaky_named(&list, "owned").expect("flaky");
    assert_eq!(owned["owner"], "team-parsers");
    assert_eq!(flaky(&app, "?q=PARSERS").await.len(), 1);
    assert!(flaky(&app, "?q=nobody").await.is_empty());
}

const LEFT_RIGHT_FAIL: &str = "fail:assertion `left == right` failed\n  left: 1\n right: 2";

both_backends! {
    failures_are_new_or_known_and_runs_compare => failures_are_new_or_known_and_runs_compare;
    uploads_without_a_digest_are_read_from_their_results => uploads_without_a_digest_are_read_from_their_results;
    flaky_tests_are_caught_by_each_rule_and_recover => flaky_tests_are_caught_by_each_rule_and_recover;
    quarantined_failures_do_not_turn_jobs_red => quarantined_failures_do_not_turn_jobs_red;
    failures_cluster_by_signature_and_clusters_are_named => failures_cluster_by_signature_and_clusters_are_named;
    slowest_and_slower_tests_and_a_tests_durations => slowest_and_slower_tests_and_a_tests_durations;
    flaky_tests_name_their_owner => flaky_tests_name_their_owner;
}
