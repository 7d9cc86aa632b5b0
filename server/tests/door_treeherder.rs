//! Treeherder's front door (`/treeherder`), on SQLite and PostgreSQL: the
//! real resultset and job submissions of ../shared/corpus/treeherder,
//! Hawk-signed as treeherder-client signs them, stored once however often
//! they are posted, read back in Treeherder's shapes, shown on the job
//! page; wrong credentials, replays and bad input store nothing. Then the
//! unmodified `treeherder-client` 3.1.0, driven by tests/treeherder/client.py,
//! against a server on a real socket.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Backend, Resp, TestApp, corpus};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

const HOST: &str = "assay.test";

/// A file of the corpus's Treeherder samples.
fn th(rel: &str) -> std::path::PathBuf {
    corpus("").parent().expect("the corpus").join("treeherder").join(rel)
}

fn sign(id: &str, secret: &str, path: &str, body: &[u8], ts: SystemTime, nonce: &str) -> String {
    let creds = hawk::Credentials { id: id.into(), key: hawk::Key::new(secret, hawk::SHA256).unwrap() };
    let hash = hawk::PayloadHasher::hash("application/json", hawk::SHA256, body).unwrap();
    let req = hawk::RequestBuilder::new("POST", HOST, 80, path).hash(&hash[..]).request();
    format!("Hawk {}", req.make_header_full(&creds, ts, nonce).unwrap())
}

fn nonce() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("n{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

async fn post_with(app: &TestApp, path: &str, auth: Option<String>, body: &[u8]) -> Resp {
    let mut req = Request::post(path).header(header::HOST, HOST).header(header::CONTENT_TYPE, "application/json");
    if let Some(a) = auth {
        req = req.header(header::AUTHORIZATION, a);
    }
    app.send(req.body(Body::from(body.to_vec())).unwrap()).await
}

/// POSTs a collection signed with `(id, secret)`.
async fn post(app: &TestApp, creds: &(String, String), path: &str, body: &Value) -> Resp {
    let body = serde_json::to_vec(body).unwrap();
    let auth = sign(&creds.0, &creds.1, path, &body, SystemTime::now(), &nonce());
    post_with(app, path, Some(auth), &body).await
}

fn pushes() -> Value {
    serde_json::from_str(&std::fs::read_to_string(th("push_data.json")).unwrap()).unwrap()
}

fn jobs() -> Vec<Value> {
    std::fs::read_to_string(th("job_data.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const RESULTSETS: &str = "/treeherder/api/project/gecko/resultset/";
const JOBS: &str = "/treeherder/api/project/gecko/jobs/";
const ARTIFACTS: &str = "/treeherder/api/project/gecko/artifact/";

async fn submissions_are_stored_once_and_read_back(app: TestApp) {
    app.project("gecko").await;
    let creds = app.hawk("gecko").await;

    // Resultsets: a run per push, found again by its revision.
    let res = post(&app, &creds, RESULTSETS, &pushes()).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.value()["message"], "well-formed JSON stored");
    let n_pushes = pushes().as_array().unwrap().len() as i64;
    assert_eq!(app.count("SELECT COUNT(*) FROM runs").await, n_pushes);
    let res = post(&app, &creds, RESULTSETS, &pushes()).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM runs").await, n_pushes, "posted again: no duplicate");
    let first = &pushes()[0];
    let list = app.get(&format!("{RESULTSETS}?revision={}", first["revision"].as_str().unwrap())).await.value();
    let r = &list["results"][0];
    assert_eq!(
        (r["author"].as_str(), r["push_timestamp"].as_i64()),
        (first["author"].as_str(), first["push_timestamp"].as_i64())
    );
    assert_eq!(r["revisions"][0]["comment"], first["revisions"][0]["comment"]);
    let run_id = r["id"].as_i64().unwrap();
    let run = app.get(&format!("/api/v1/projects/gecko/runs/{run_id}")).await.value();
    assert_eq!(run["run"]["revision"], first["revision"], "{run}");

    // Jobs: the 122 real submissions, twice; each stored once.
    let all = jobs();
    let n = all.len() as i64;
    let res = post(&app, &creds, JOBS, &Value::Array(all.clone())).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM treeherder_jobs").await, n);
    let jobs_before = app.count("SELECT COUNT(*) FROM jobs").await;
    assert_eq!(jobs_before, n);
    let res = post(&app, &creds, JOBS, &Value::Array(all.clone())).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs").await, n, "posted again: no duplicate");

    // The job's fields as Treeherder reads them, and on its Assay job page.
    let sample = &all[0]["job"];
    let guid = sample["job_guid"].as_str().unwrap();
    let list = app.get(&format!("{JOBS}?job_guid={guid}")).await.value();
    let j = &list["results"][0];
    assert_eq!(j["job_type_symbol"], sample["job_symbol"]);
    assert_eq!(j["job_group_symbol"], sample["group_symbol"]);
    assert_eq!(j["machine_name"], sample["machine"]);
    assert_eq!(j["platform"], sample["machine_platform"]["platform"]);
    assert_eq!(j["option_collection_hash"], "32faaecac742100f7753f0c1d0aa0add01b4046b", "sha1 of 'debug'");
    assert_eq!((j["state"].as_str(), j["result"].as_str()), (Some("completed"), Some("success")));
    let (job_id, push_id) = (j["id"].as_i64().unwrap(), j["push_id"].as_i64().unwrap());
    let page = app.get(&format!("/api/v1/projects/gecko/runs/{push_id}/jobs/{job_id}")).await.value();
    assert_eq!(page["job"]["key"], guid);
    assert_eq!(page["job"]["result"], "success");
    assert_eq!(page["treeherder"]["symbol"], "M-spi-nw(bc10)", "{page}");
    assert_eq!(page["treeherder"]["logs"][0][0], "errorsummary_json");
    let facts = page["treeherder"]["facts"].as_array().unwrap();
    assert!(facts.contains(&json!(["Who", sample["who"]])), "{facts:?}");
    assert!(facts.contains(&json!(["Options", "debug"])), "{facts:?}");
    let labels = page["job"]["labels"].as_array().unwrap();
    assert!(labels.contains(&json!("M-spi-nw(bc10)")), "{labels:?}");

    // Completed with a failure later; the second job coalesced into it.
    let mut update = all[0].clone();
    update["job"]["result"] = json!("testfailed");
    update["coalesced"] = json!([all[1]["job"]["job_guid"]]);
    let res = post(&app, &creds, JOBS, &json!([update])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let page = app.get(&format!("/api/v1/projects/gecko/runs/{push_id}/jobs/{job_id}")).await.value();
    assert_eq!(
        (page["job"]["result"].as_str(), page["treeherder"]["status"].as_str()),
        (Some("failure"), Some("completed / testfailed"))
    );
    let second = all[1]["job"]["job_guid"].as_str().unwrap();
    let list = app.get(&format!("{JOBS}?job_guid={second}")).await.value();
    assert_eq!(list["results"][0]["coalesced_to_guid"], guid);

    // Artifacts: Job Info, sanitised; an unknown guid refuses the whole collection.
    let info = json!({"job_guid": guid, "name": "Job Info", "type": "json", "blob": {"job_details": [
        {"content_type": "raw_html", "title": "Summary", "value": "<i>flaky</i><script>alert(1)</script>"},
        {"content_type": "link", "title": "log", "value": "live.log", "url": "https://ci.example/live.log"},
    ]}});
    let unknown = json!({"job_guid": "nope/0", "name": "Job Info", "type": "json", "blob": {"job_details": []}});
    let res = post(&app, &creds, ARTIFACTS, &json!([info, unknown])).await;
    res.assert_error(StatusCode::BAD_REQUEST, "bad_request", "nope/0");
    assert_eq!(app.count("SELECT COUNT(*) FROM treeherder_artifacts").await, 0, "nothing of it stored");
    let res = post(&app, &creds, ARTIFACTS, &json!([info])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let details = app.get(&format!("/treeherder/api/jobdetail/?job_guid={guid}")).await.value();
    let d = &details["results"];
    assert_eq!(d[0]["value"], "<i>flaky</i>", "{details}");
    assert_eq!(d[1]["url"], "https://ci.example/live.log");
    let page = app.get(&format!("/api/v1/projects/gecko/runs/{push_id}/jobs/{job_id}")).await.value();
    assert_eq!(page["treeherder"]["details"].as_array().unwrap().len(), 2);

    // Bad input: a 400 naming the place, and nothing of the collection kept.
    let mut bad = all[2].clone();
    bad["job"]["job_guid"] = json!("fresh-guid/0");
    let mut worse = all[3].clone();
    worse["job"]["result"] = json!("greenish");
    let res = post(&app, &creds, JOBS, &json!([bad, worse])).await;
    res.assert_error(StatusCode::BAD_REQUEST, "bad_request", "'result' must be one of");
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs").await, n);
    let res = post(&app, &creds, JOBS, &json!({"not": "a list"})).await;
    res.assert_error(StatusCode::BAD_REQUEST, "bad_request", "JSON list of jobs");
    let res = post(&app, &creds, JOBS, &json!([{"revision": "abc", "job": {}}])).await;
    res.assert_error(StatusCode::BAD_REQUEST, "bad_request", "job_guid");
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs").await, n);

    // The reads: option collections and the repository list.
    let hashes = app.get("/treeherder/api/optioncollectionhash/").await.value();
    assert!(hashes.as_array().unwrap().iter().any(|h| h["options"] == json!([{"name": "debug"}])), "{hashes}");
    let repos = app.get("/treeherder/api/repository/").await.value();
    assert_eq!(repos[0]["name"], "gecko");
}

async fn only_good_signatures_write(app: TestApp) {
    app.project("gecko").await;
    app.project("other").await;
    let creds = app.hawk("gecko").await;
    let theirs = app.hawk("other").await;
    let body = serde_json::to_vec(&pushes()).unwrap();
    let now = SystemTime::now();

    let res = post_with(&app, RESULTSETS, None, &body).await;
    res.assert_error(StatusCode::UNAUTHORIZED, "unauthorized", "Hawk");
    let wrong = sign(&creds.0, "not-the-secret", RESULTSETS, &body, now, &nonce());
    post_with(&app, RESULTSETS, Some(wrong), &body).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "MAC");
    let unknown = sign("nobody", &creds.1, RESULTSETS, &body, now, &nonce());
    post_with(&app, RESULTSETS, Some(unknown), &body).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "unknown");
    // Signed for another body: the payload hash gives it away.
    let other_body = b"[]";
    let swapped = sign(&creds.0, &creds.1, RESULTSETS, other_body, now, &nonce());
    post_with(&app, RESULTSETS, Some(swapped), &body).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "payload hash",
    );
    // An old request: the clock window.
    let stale = sign(&creds.0, &creds.1, RESULTSETS, &body, now - Duration::from_secs(3600), &nonce());
    post_with(&app, RESULTSETS, Some(stale), &body).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "timestamp");
    // Another project's credential.
    let foreign = sign(&theirs.0, &theirs.1, RESULTSETS, &body, now, &nonce());
    post_with(&app, RESULTSETS, Some(foreign), &body).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "other");
    assert_eq!(app.count("SELECT COUNT(*) FROM runs").await, 0, "nothing stored");

    // A good request once; the same request again is a replay.
    let good = sign(&creds.0, &creds.1, RESULTSETS, &body, now, "once");
    let res = post_with(&app, RESULTSETS, Some(good.clone()), &body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    post_with(&app, RESULTSETS, Some(good), &body).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "replay");

    // Revoked: refused from then on.
    server::service::hawk::revoke(&app.db, &server::service::access::Access::system(), "gecko", &creds.0)
        .await
        .unwrap();
    let res = post(&app, &creds, RESULTSETS, &pushes()).await;
    res.assert_error(StatusCode::FORBIDDEN, "forbidden", "revoked");
    let listed =
        server::service::hawk::list(&app.db, &server::service::access::Access::system(), "gecko").await.unwrap();
    assert!(listed[0].revoked_at.is_some() && listed[0].last_used_at.is_some(), "{listed:?}");
    // Secrets are stored sealed, never in clear.
    let sealed =
        app.count(&format!("SELECT COUNT(*) FROM hawk_credentials WHERE secret_sealed LIKE '%{}%'", creds.1)).await;
    assert_eq!(sealed, 0);
}

both_backends! {
    submissions_are_stored_once_and_read_back => submissions_are_stored_once_and_read_back;
    only_good_signatures_write => only_good_signatures_write;
}

async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("{addr}")
}

/// The Python of the virtualenv that `scripts/install.sh --test` makes.
fn treeherder_python() -> std::path::PathBuf {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    std::path::Path::new(&home).join(".cache/assay/treeherder-venv/bin/python")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unmodified_treeherder_client() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.project("gecko").await;
    let (id, secret) = app.hawk("gecko").await;
    let addr = serve(&app).await;
    let python = treeherder_python();
    assert!(python.exists(), "treeherder-client must be installed (scripts/install.sh --test does it): {python:?}");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/treeherder/client.py");
    let args = [format!("http://{addr}/treeherder"), "gecko".into(), id, secret, th("").display().to_string()];
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python).arg(script).args(args).output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: Value = serde_json::from_str(stdout.trim()).expect("client.py prints JSON");
    for step in ["resultset_post", "jobs_post", "jobs_post_again", "jobs_update", "artifact_post", "replay_first"] {
        assert_eq!(seen[step], 200, "{step}: {seen}");
    }
    assert_eq!(seen["wrong_secret"], 403, "{seen}");
    assert_eq!(seen["replay_second"], 403, "{seen}");
    assert!(seen["replay_body"]["detail"].as_str().unwrap().contains("replay"), "{seen}");

    // Read back with the client's own methods.
    assert_eq!(seen["resultsets"].as_array().unwrap().len(), 3, "{}", seen["resultsets"]);
    let jobs = seen["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 5, "posted twice, stored once: {jobs:?}");
    let first = jobs.iter().find(|j| j["job_type_symbol"] == "bc10").expect("the first job");
    assert_eq!(first["result"], "testfailed");
    let details = seen["details"].as_array().unwrap();
    assert_eq!(details.len(), 3, "{details:?}");
    assert_eq!(details[0]["url"], "https://ci.example/logs/live_backing.log");
    assert_eq!(details[2]["value"], "<b>3 failures</b><img src=\"x\">", "sanitised: {details:?}");
    assert_eq!(seen["log_urls"][0]["name"], "errorsummary_json");
    assert_eq!(seen["artifacts"][0]["name"], "Job Info");
    assert!(seen["option_hashes"]["32faaecac742100f7753f0c1d0aa0add01b4046b"].is_array(), "{}", seen["option_hashes"]);
    assert_eq!(seen["repositories"][0]["name"], "gecko");
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs").await, 5);
    assert_eq!(app.count("SELECT COUNT(*) FROM treeherder_artifacts").await, 2);
}
