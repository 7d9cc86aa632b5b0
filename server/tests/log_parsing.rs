//! The log pipeline, on SQLite and PostgreSQL: logs that Treeherder jobs
//! name by URL, fetched from a real HTTP server on a socket (plain, gzip
//! sent encoded and as a .gz file, redirected on its host), kept as
//! artifacts, parsed by Treeherder's rules into error lines, a
//! `text_log_summary` and bug suggestions, shown on the job page and
//! highlighted in the log viewer; fetches the policy refuses (not on the
//! allow-list, a private address, a redirect to another host, too large, a
//! 404) fail at once with the reason on the job, failing ones (a 503) are
//! tried three times and then given up; a submitted `text_log_summary` is
//! taken as it is; logs uploaded as artifacts are parsed the same way.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use common::{Backend, Resp, TestApp, corpus};
use serde_json::{Value, json};
use server::service::logs::{FetchPolicy, work_all};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

const HOST: &str = "assay.test";
const JOBS: &str = "/treeherder/api/project/gecko/jobs/";
const ARTIFACTS: &str = "/treeherder/api/project/gecko/artifact/";

/// A log as mozharness writes it: 2 steps, 3 error lines (numbered from 0:
/// 5, 6 and 9).
const LOG: &str = "\
[taskcluster 2026-12-01 10:00:00.000Z] Worker Type (proj/linux) settings:
05:00:00     INFO - #####
05:00:00     INFO - ##### Running run-tests step.
05:00:00     INFO - #####
05:00:01     INFO - TEST-PASS | dom/a/test_fine.html | ok
05:00:02     INFO - TEST-UNEXPECTED-FAIL | dom/indexedDB/test/test_transaction_lifetimes.html | Should be able to get objectStore - expected PASS
05:00:03    ERROR - Return code: 1
05:00:04     INFO - ##### Finished run-tests step (failed)
05:00:05     INFO - cleaning up
05:00:06     INFO - PROCESS-CRASH | Shutdown | application crashed [@ PR_GetThreadPrivate]
";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

struct LogServer {
    /// `127.0.0.1:PORT`
    addr: String,
    port: u16,
    flaky_hits: Arc<AtomicUsize>,
}

/// A real HTTP server of logs on 127.0.0.1.
async fn log_server() -> LogServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let router = Router::new()
        .route("/logs/live_backing.log", get(|| async { LOG }))
        .route(
            "/logs/encoded.log",
            get(|| async { ([(header::CONTENT_ENCODING, "gzip")], gzip(LOG.as_bytes())).into_response() }),
        )
        .route(
            "/logs/raw.log.gz",
            get(|| async { ([(header::CONTENT_TYPE, "application/octet-stream")], gzip(LOG.as_bytes())) }),
        )
        .route("/logs/moved", get(|| async { Redirect::temporary("/logs/live_backing.log") }))
        .route(
            "/logs/away",
            get(move || async move { Redirect::temporary(&format!("http://localhost:{port}/logs/live_backing.log")) }),
        )
        .route("/logs/big.log", get(|| async { "x".repeat(2 * 1024 * 1024) }))
        .route(
            "/logs/bomb.log.gz",
            get(|| async {
                ([(header::CONTENT_ENCODING, "gzip")], gzip(&vec![b'a'; 8 * 1024 * 1024])).into_response()
            }),
        )
        .route("/logs/missing.log", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/logs/flaky.log",
            get(move || {
                let hits = counted.clone();
                async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    Response::builder().status(503).body(Body::from("busy")).unwrap()
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    LogServer { addr: format!("127.0.0.1:{port}"), port, flaky_hits: hits }
}

fn policy(private: bool) -> FetchPolicy {
    FetchPolicy {
        allow: vec!["127.0.0.1".into()],
        private,
        max_bytes: 1024 * 1024,
        timeout: Duration::from_secs(20),
        backoff: Duration::ZERO,
    }
}

fn sign(id: &str, secret: &str, path: &str, body: &[u8]) -> String {
    use std::sync::atomic::AtomicU64;
    static N: AtomicU64 = AtomicU64::new(0);
    let nonce = format!("n{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    let creds = hawk::Credentials { id: id.into(), key: hawk::Key::new(secret, hawk::SHA256).unwrap() };
    let hash = hawk::PayloadHasher::hash("application/json", hawk::SHA256, body).unwrap();
    let req = hawk::RequestBuilder::new("POST", HOST, 80, path).hash(&hash[..]).request();
    format!("Hawk {}", req.make_header_full(&creds, SystemTime::now(), &nonce).unwrap())
}

async fn post(app: &TestApp, creds: &(String, String), path: &str, body: &Value) -> Resp {
    let body = serde_json::to_vec(body).unwrap();
    let req = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, sign(&creds.0, &creds.1, path, &body))
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

/// The corpus's first job, as `guid`, naming these logs.
fn job(guid: &str, logs: &[(&str, &str, Option<&str>)]) -> Value {
    let path = corpus("").parent().unwrap().join("treeherder/job_data.txt");
    let line = std::fs::read_to_string(path).unwrap().lines().next().unwrap().to_owned();
    let mut v: Value = serde_json::from_str(&line).unwrap();
    v["job"]["job_guid"] = json!(guid);
    v["job"]["log_references"] = logs
        .iter()
        .map(|(name, url, status)| match status {
            Some(s) => json!({"name": name, "url": url, "parse_status": s}),
            None => json!({"name": name, "url": url}),
        })
        .collect();
    v
}

struct Ids {
    run: i64,
    job: i64,
}

async fn ids(app: &TestApp, guid: &str) -> Ids {
    let job = app.count(&format!("SELECT job_id FROM treeherder_jobs WHERE job_guid = '{guid}'")).await;
    let run = app.count(&format!("SELECT run_id FROM treeherder_jobs WHERE job_guid = '{guid}'")).await;
    Ids { run, job }
}

async fn job_logs(app: &TestApp, at: &Ids) -> Vec<Value> {
    let res = app.get(&format!("/api/v1/projects/gecko/runs/{}/jobs/{}", at.run, at.job)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.value()["logs"].as_array().cloned().unwrap_or_default()
}

/// Project `gecko`: a write token and Hawk credentials.
async fn setup(app: &TestApp) -> (String, (String, String)) {
    let token = app.project("gecko").await;
    let creds = app.hawk("gecko").await;
    (token, creds)
}

async fn fetched_logs_are_parsed_into_errors_and_suggestions(app: TestApp) {
    let srv = log_server().await;
    let (_, creds) = setup(&app).await;
    let url = |p: &str| format!("http://{}/logs/{p}", srv.addr);
    let posted = json!([
        job("g-plain/0", &[("live_backing_log", &url("live_backing.log"), None)]),
        job("g-encoded/0", &[("live_backing_log", &url("encoded.log"), Some("pending"))]),
        job("g-raw-gz/0", &[("live_backing_log", &url("raw.log.gz"), None)]),
        job("g-moved/0", &[("live_backing_log", &url("moved"), None)]),
    ]);
    let res = post(&app, &creds, JOBS, &posted).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(work_all(&app.db, &app.blobs, &app.config).await.unwrap(), 4);

    for guid in ["g-plain/0", "g-encoded/0", "g-raw-gz/0", "g-moved/0"] {
        let at = ids(&app, guid).await;
        let logs = job_logs(&app, &at).await;
        assert_eq!(logs.len(), 1, "{guid}: {logs:?}");
        let log = &logs[0];
        assert_eq!(log["state"], "parsed", "{guid}: {log}");
        assert_eq!(log["viewer"], true);
        let errors = log["errors"].as_array().unwrap();
        let numbers: Vec<u64> = errors.iter().map(|e| e[0].as_u64().unwrap()).collect();
        assert_eq!(numbers, vec![5, 6, 9], "{guid}: {log}");
        assert!(errors[0][1].as_str().unwrap().contains("TEST-UNEXPECTED-FAIL"));
        // Suggestions from the line's search term (no cluster matches yet).
        assert_eq!(errors[0][2][0][0], "Search: test_transaction_lifetimes.html", "{log}");
        assert_eq!(errors[2][2][0][0], "Search: PR_GetThreadPrivate", "{log}");
        // The log is an artifact of the job: gzip undone, lines indexed.
        let href = log["href"].as_str().unwrap();
        let artifact: i64 = href.rsplit('/').next().unwrap().parse().unwrap();
        let meta = app.get(&format!("/api/v1/artifacts/{artifact}")).await.value();
        assert_eq!(meta["size_bytes"], LOG.len(), "{guid}: {meta}");
        assert_eq!(meta["line_count"], 10, "{meta}");
        assert!(!meta["name"].as_str().unwrap().ends_with(".gz"), "{meta}");
        // The viewer marks the error lines (numbered from 1 there).
        let page = app.get(&format!("/api/v1/artifacts/{artifact}/lines?from=1&count=500")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert_eq!(page.value()["errors"], json!([6, 7, 10]), "{}", page.text());

        // Treeherder's own artifacts, and the parse status the client reads.
        let summary = app.get(&format!("{ARTIFACTS}?job_id={}&name=text_log_summary", at.job)).await.value();
        let blob = &summary[0]["blob"];
        assert_eq!(blob["logurl"].as_str().unwrap(), url(guid_path(guid)), "{summary}");
        assert_eq!(blob["errors"][0]["linenumber"], 5, "{blob}");
        assert_eq!(blob["steps"][0]["name"], "run-tests", "{blob}");
        assert_eq!(blob["steps"][0]["result"], "failed", "{blob}");
        assert_eq!(blob["steps"][0]["error_count"], 2, "{blob}");
        let bugs = app.get(&format!("{ARTIFACTS}?job_id={}&name=Bug%20suggestions", at.job)).await.value();
        assert_eq!(bugs[0]["blob"][0]["search_terms"], json!(["test_transaction_lifetimes.html"]), "{bugs}");
        let urls = app.get(&format!("/treeherder/api/project/gecko/job-log-url/?job_id={}", at.job)).await.value();
        assert_eq!(urls[0]["parse_status"], "parsed", "{urls}");
    }

    // Posting the job again fetches nothing again.
    let res = post(&app, &creds, JOBS, &posted).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(work_all(&app.db, &app.blobs, &app.config).await.unwrap(), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM artifacts").await, 4);
}

fn guid_path(guid: &str) -> &'static str {
    match guid {
        "g-plain/0" => "live_backing.log",
        "g-encoded/0" => "encoded.log",
        "g-raw-gz/0" => "raw.log.gz",
        _ => "moved",
    }
}

async fn unsafe_or_failing_fetches_are_refused_with_the_reason(app: TestApp) {
    let srv = log_server().await;
    let (_, creds) = setup(&app).await;
    let url = |p: &str| format!("http://{}/logs/{p}", srv.addr);
    let posted = json!([
        job("r-away/0", &[("log", &url("away"), None)]),
        job("r-big/0", &[("log", &url("big.log"), None)]),
        job("r-bomb/0", &[("log", &url("bomb.log.gz"), None)]),
        job("r-missing/0", &[("log", &url("missing.log"), None)]),
        job("r-flaky/0", &[("log", &url("flaky.log"), None)]),
        job("r-host/0", &[("log", &format!("http://localhost:{}/logs/live_backing.log", srv.port), None)]),
        job("r-ftp/0", &[("log", "ftp://127.0.0.1/x.log", None)]),
        job("r-parsed/0", &[("log", &url("live_backing.log"), Some("parsed"))]),
        job("r-json/0", &[("errorsummary_json", &url("errorsummary.json"), None)]),
    ]);
    let res = post(&app, &creds, JOBS, &posted).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // Three attempts at the flaky one (no backoff here), one at each other.
    work_all(&app.db, &app.blobs, &app.config).await.unwrap();
    assert_eq!(srv.flaky_hits.load(Ordering::SeqCst), 3);

    let reason = |logs: &[Value]| logs[0]["error"].as_str().unwrap_or_default().to_owned();
    for (guid, needle) in [
        ("r-away/0", "redirects to another host (localhost)"),
        ("r-big/0", "larger than 1048576 bytes"),
        ("r-bomb/0", "larger than 1048576 bytes"),
        ("r-missing/0", "404"),
        ("r-flaky/0", "given up after 3 attempts"),
        ("r-host/0", "not on the log-fetch allow-list"),
    ] {
        let logs = job_logs(&app, &ids(&app, guid).await).await;
        assert_eq!(logs[0]["state"], "failed", "{guid}: {logs:?}");
        assert!(reason(&logs).contains(needle), "{guid}: {logs:?}");
    }
    // Only web URLs are kept at all; a log said to be parsed is not fetched.
    assert!(job_logs(&app, &ids(&app, "r-ftp/0").await).await.is_empty());
    assert!(job_logs(&app, &ids(&app, "r-parsed/0").await).await.is_empty());
    // Nor is a structured log, which is no text log.
    assert!(job_logs(&app, &ids(&app, "r-json/0").await).await.is_empty());
    assert_eq!(app.count("SELECT COUNT(*) FROM artifacts").await, 0);
    let at = ids(&app, "r-big/0").await;
    let urls = app.get(&format!("/treeherder/api/project/gecko/job-log-url/?job_id={}", at.job)).await.value();
    assert_eq!(urls[0]["parse_status"], "skipped-size", "{urls}");
    // Nothing is tried again afterwards.
    assert_eq!(work_all(&app.db, &app.blobs, &app.config).await.unwrap(), 0);
    assert_eq!(srv.flaky_hits.load(Ordering::SeqCst), 3);
}

async fn private_addresses_are_refused(app: TestApp) {
    let srv = log_server().await;
    let (_, creds) = setup(&app).await;
    let res = post(
        &app,
        &creds,
        JOBS,
        &json!([job("p/0", &[("log", &format!("http://{}/logs/live_backing.log", srv.addr), None)])]),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    work_all(&app.db, &app.blobs, &app.config).await.unwrap();
    let logs = job_logs(&app, &ids(&app, "p/0").await).await;
    assert!(logs[0]["error"].as_str().unwrap().contains("private or loopback address (127.0.0.1)"), "{logs:?}");
}

async fn nothing_is_fetched_without_an_allow_list(app: TestApp) {
    let (_, creds) = setup(&app).await;
    let res =
        post(&app, &creds, JOBS, &json!([job("off/0", &[("log", "https://ci.example/live_backing.log", None)])])).await;
    assert_eq!(res.status, StatusCode::OK);
    work_all(&app.db, &app.blobs, &app.config).await.unwrap();
    let logs = job_logs(&app, &ids(&app, "off/0").await).await;
    assert!(logs[0]["error"].as_str().unwrap().contains("log fetching is off"), "{logs:?}");
    // The job page says so.
    let at = ids(&app, "off/0").await;
    let page = app.get(&format!("/projects/gecko/runs/{}/jobs/{}", at.run, at.job)).await.text();
    assert!(page.contains("log fetching is off"), "{page}");
}

async fn submitted_summaries_and_uploaded_logs(app: TestApp) {
    let (token, creds) = setup(&app).await;
    // A job with its own text_log_summary (Treeherder's corpus artifact).
    let mut with_summary = job("s/0", &[("live_backing_log", "https://ci.example/live_backing.log", Some("parsed"))]);
    let corpus_summary: Value = serde_json::from_str(
        &std::fs::read_to_string(corpus("").parent().unwrap().join("treeherder/artifacts__text_log_summary.json"))
            .unwrap(),
    )
    .unwrap();
    with_summary["job"]["artifacts"] =
        json!([{"name": "text_log_summary", "type": "json", "blob": corpus_summary["blob"], "job_guid": "s/0"}]);
    let res = post(&app, &creds, JOBS, &json!([with_summary])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(work_all(&app.db, &app.blobs, &app.config).await.unwrap(), 0);
    let at = ids(&app, "s/0").await;
    let logs = job_logs(&app, &at).await;
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0]["state"], "submitted");
    assert_eq!(logs[0]["errors"].as_array().unwrap().len(), 4, "{logs:?}");
    assert_eq!(logs[0]["errors"][0][0], 8151);
    assert_eq!(logs[0]["errors"][0][2][0][0], "Search: test_transaction_lifetimes.html");
    // Taken as it is: the stored blob is the one posted.
    let stored = app.get(&format!("{ARTIFACTS}?job_id={}&name=text_log_summary", at.job)).await.value();
    assert_eq!(stored[0]["blob"], corpus_summary["blob"]);

    // A log uploaded as an artifact of that job is parsed too, and a
    // failure cluster of the project whose test the log names is suggested.
    let report = "<testsuite name=\"mochitest\"><testcase classname=\"dom.indexedDB\" \
                  name=\"dom/indexedDB/test/test_transaction_lifetimes.html\"><failure message=\"boom\">at x</failure>\
                  </testcase></testsuite>";
    let run_job = format!("/api/v1/projects/gecko/runs/{}/jobs/{}", at.run, at.job);
    let res = app
        .upload(&format!("{run_job}/test-results"), Some(&token), &[("report.xml", report.as_bytes().to_vec())])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res =
        app.upload(&format!("{run_job}/artifacts"), Some(&token), &[("build.log", LOG.as_bytes().to_vec())]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(work_all(&app.db, &app.blobs, &app.config).await.unwrap(), 1);
    let logs = job_logs(&app, &at).await;
    let uploaded = logs.iter().find(|l| l["name"] == "build.log").expect("the uploaded log");
    assert_eq!(uploaded["state"], "parsed", "{uploaded}");
    let first = &uploaded["errors"][0];
    assert_eq!(first[0], 5);
    assert!(first[2][0][0].as_str().unwrap().starts_with("Failure cluster: "), "{first}");
    assert!(first[2][0][1].as_str().unwrap().contains("/failure-clusters/"), "{first}");
    // Its text_log_summary stays the submitted one.
    let stored = app.get(&format!("{ARTIFACTS}?job_id={}&name=text_log_summary", at.job)).await.value();
    assert_eq!(stored[0]["blob"], corpus_summary["blob"]);
    // Other artifacts are not logs.
    let res =
        app.upload(&format!("{run_job}/artifacts"), Some(&token), &[("notes.json", b"{\"a\": 1}".to_vec())]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(work_all(&app.db, &app.blobs, &app.config).await.unwrap(), 0);
}

/// Like `both_backends!`, with this file's fetch policy (`private`: may
/// the fetcher reach loopback addresses, where the test's log server is).
macro_rules! with_policy {
    ($($name:ident => $body:ident, $private:expr;)+) => {
        mod fetch_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::within_limit(async {
                        let app = crate::TestApp::with_config(crate::Backend::Sqlite, |c| c.log_fetch = crate::policy($private)).await;
                        crate::$body(app).await;
                    })
                    .await;
                }
            )+
        }
        mod fetch_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::within_limit(async {
                        let app = crate::TestApp::with_config(crate::Backend::Postgres, |c| c.log_fetch = crate::policy($private)).await;
                        crate::$body(app).await;
                    })
                    .await;
                }
            )+
        }
    };
}

with_policy! {
    fetched_logs_are_parsed_into_errors_and_suggestions => fetched_logs_are_parsed_into_errors_and_suggestions, true;
    unsafe_or_failing_fetches_are_refused_with_the_reason => unsafe_or_failing_fetches_are_refused_with_the_reason, true;
    private_addresses_are_refused => private_addresses_are_refused, false;
    submitted_summaries_and_uploaded_logs => submitted_summaries_and_uploaded_logs, true;
}

both_backends! {
    nothing_is_fetched_without_an_allow_list => nothing_is_fetched_without_an_allow_list;
}
