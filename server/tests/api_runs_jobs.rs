//! Runs and jobs through the REST API: idempotent creation, validation,
//! authorisation, and derived status. Every test runs on SQLite and on
//! PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{TestApp, enc};
use serde_json::json;
use server::db::tokens::Scope;

async fn health_and_openapi(app: TestApp) {
    let r = app.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.value()["status"], "ok");
    let doc = app.get("/api/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    let paths = doc.value()["paths"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    for p in [
        "/api/v1/projects/{project}/runs",
        "/api/v1/projects/{project}/runs/{run}/jobs/{job}/test-results",
        "/api/v1/projects/{project}/runs/{run}/jobs/{job}/test-results/summary",
    ] {
        assert!(paths.iter().any(|k| k == p), "{p} missing from {paths:?}");
    }
    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(docs.text().contains("swagger"), "{}", docs.text());
    app.get("/api/v1/nope").await.assert_error(StatusCode::NOT_FOUND, "not_found", "/api/v1/nope");
}

async fn runs_are_idempotent_on_name(app: TestApp) {
    let token = app.project("web").await;
    let body = json!({"name": "build 42/a", "revision": "abc", "branch": "main", "url": "https://ci.example/42"});
    let first = app.post_json("/api/v1/projects/web/runs", Some(&token), &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let again = app.post_json("/api/v1/projects/web/runs", Some(&token), &body).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(first.value()["id"], again.value()["id"]);
    // A repeat may fill what is missing, never contradict what is stored.
    let more =
        app.post_json("/api/v1/projects/web/runs", Some(&token), &json!({"name": "build 42/a", "author": "ada"})).await;
    assert_eq!(more.value()["author"], "ada");
    assert_eq!(more.value()["revision"], "abc");
    app.post_json("/api/v1/projects/web/runs", Some(&token), &json!({"name": "build 42/a", "revision": "def"}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict", "revision 'abc', not 'def'");
    assert_eq!(app.count("SELECT COUNT(*) FROM runs").await, 1);

    // Readable by name (URL-encoded) and by id.
    let by_name = app.get(&format!("/api/v1/projects/web/runs/{}", enc("build 42/a"))).await;
    assert_eq!(by_name.status, StatusCode::OK, "{}", by_name.text());
    let id = first.value()["id"].as_i64().unwrap();
    let by_id = app.get(&format!("/api/v1/projects/web/runs/{id}")).await;
    assert_eq!(by_id.value()["run"]["name"], "build 42/a");
}

async fn numeric_run_names_win_over_ids(app: TestApp) {
    let token = app.project("web").await;
    let a = app.post_json("/api/v1/projects/web/runs", Some(&token), &json!({"name": "first"})).await.value();
    let b = app.post_json("/api/v1/projects/web/runs", Some(&token), &json!({"name": a["id"].to_string()})).await;
    assert_eq!(b.status, StatusCode::CREATED);
    let got = app.get(&format!("/api/v1/projects/web/runs/{}", a["id"])).await.value();
    assert_eq!(got["run"]["id"], b.value()["id"], "a run named like an id is found by its name");
}

async fn bad_input_gets_a_clear_4xx(app: TestApp) {
    let token = app.project("web").await;
    let runs = "/api/v1/projects/web/runs";
    app.post_json(runs, Some(&token), &json!({"name": "  "})).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "run name must not be empty",
    );
    app.post_json(runs, Some(&token), &json!({"revision": "x"})).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "missing field `name`",
    );
    app.post_json(runs, Some(&token), &json!({"name": "x", "colour": "red"})).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown field `colour`",
    );
    app.post_json(runs, Some(&token), &json!({"name": "x", "url": "javascript:alert(1)"})).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "url must be an http(s) URL",
    );
    let raw = axum::http::Request::post(runs)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "text/plain")
        .body(axum::body::Body::from("name=x"))
        .unwrap();
    app.send(raw).await.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "application/json");
    let broken = axum::http::Request::post(runs)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{\"name\": "))
        .unwrap();
    app.send(broken).await.assert_error(StatusCode::BAD_REQUEST, "bad_request", "not valid JSON");
    app.get("/api/v1/projects/web/runs?limit=many").await.assert_error(StatusCode::BAD_REQUEST, "bad_request", "limit");
    app.get("/api/v1/projects/nope/runs").await.assert_error(StatusCode::NOT_FOUND, "not_found", "project 'nope'");
    app.get("/api/v1/projects/web/runs/nope").await.assert_error(StatusCode::NOT_FOUND, "not_found", "run 'nope'");
    assert_eq!(app.count("SELECT COUNT(*) FROM runs").await, 0, "nothing stored by bad requests");
}

async fn writes_need_a_token_of_the_project(app: TestApp) {
    let web = app.project("web").await;
    let other = app.project("other").await;
    let read_only = app.token("web", Scope::Read).await;
    let body = json!({"name": "r1"});
    let url = "/api/v1/projects/web/runs";
    app.post_json(url, None, &body).await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized", "API token");
    app.post_json(url, Some("assay_not-a-token"), &body).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "not valid",
    );
    app.post_json(url, Some(&other), &body).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "does not belong to project 'web'",
    );
    app.post_json(url, Some(&read_only), &body).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "read-only");
    // HTTP Basic (for clients that only take a URL): the project as the
    // user, a token of it as the password.
    let basic = |user: &str, password: &str, body: &serde_json::Value| {
        use base64::Engine;
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        axum::http::Request::post(url)
            .header("authorization", format!("Basic {credentials}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap()
    };
    app.send(basic("user", "pass", &body)).await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized", "not valid");
    app.send(basic("other", &web, &body)).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "not a token of project 'other'",
    );
    app.send(basic("web", "", &body)).await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized", "password");
    app.send(
        axum::http::Request::post(url).header("authorization", "Digest x").body(axum::body::Body::empty()).unwrap(),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "unauthorized", "Bearer");
    assert_eq!(app.count("SELECT COUNT(*) FROM runs").await, 0);
    assert_eq!(app.send(basic("web", &web, &json!({"name": "r0"}))).await.status, StatusCode::CREATED);
    assert_eq!(app.post_json(url, Some(&web), &body).await.status, StatusCode::CREATED);
    // Reads are open.
    assert_eq!(app.get(url).await.status, StatusCode::OK);
}

async fn jobs_are_idempotent_and_drive_run_status(app: TestApp) {
    let token = app.project("web").await;
    app.post_json("/api/v1/projects/web/runs", Some(&token), &json!({"name": "r1"})).await;
    let jobs = "/api/v1/projects/web/runs/r1/jobs";
    let created = app
        .post_json(jobs, Some(&token), &json!({"key": "linux-x64", "name": "Linux", "platform": "linux", "state": "running", "labels": ["nightly"]}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.value()["labels"], json!(["nightly"]));
    let again = app.post_json(jobs, Some(&token), &json!({"key": "linux-x64", "machine": "m7"})).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.value()["machine"], "m7");
    assert_eq!(again.value()["state"], "running");
    let run = app.get("/api/v1/projects/web/runs/r1").await.value();
    assert_eq!(run["run"]["status"], "running");
    assert_eq!(run["run"]["job_count"], 1);

    let job = "/api/v1/projects/web/runs/r1/jobs/linux-x64";
    let done = app.patch_json(job, Some(&token), &json!({"state": "completed", "result": "success"})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert_eq!(app.get("/api/v1/projects/web/runs/r1").await.value()["run"]["status"], "passed");
    app.patch_json(job, Some(&token), &json!({"result": "failure"})).await;
    assert_eq!(app.get("/api/v1/projects/web/runs/r1").await.value()["run"]["status"], "failed");

    app.patch_json(job, Some(&token), &json!({})).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "nothing to update",
    );
    app.patch_json(job, Some(&token), &json!({"state": "exploded"})).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown variant `exploded`",
    );
    app.patch_json(job, None, &json!({"state": "running"})).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "token",
    );
    app.post_json("/api/v1/projects/web/runs/none/jobs", Some(&token), &json!({"key": "k"})).await.assert_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "run 'none'",
    );
    let job_read = app.get(job).await.value();
    assert_eq!(job_read["job"]["result"], "failure");
    assert_eq!(job_read["run"]["name"], "r1");
}

async fn runs_list_newest_first_with_branch_filter_and_pages(app: TestApp) {
    let token = app.project("web").await;
    for i in 0..7 {
        let branch = if i % 2 == 0 { "main" } else { "dev" };
        app.post_json("/api/v1/projects/web/runs", Some(&token), &json!({"name": format!("r{i}"), "branch": branch}))
            .await;
    }
    let page = app.get("/api/v1/projects/web/runs?limit=3").await.value();
    assert_eq!(page["total"], 7);
    let names: Vec<&str> = page["items"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["r6", "r5", "r4"]);
    let page2 = app.get("/api/v1/projects/web/runs?limit=3&offset=3").await.value();
    assert_eq!(page2["items"][0]["name"], "r3");
    let main = app.get("/api/v1/projects/web/runs?branch=main").await.value();
    assert_eq!(main["total"], 4);
    assert!(main["items"].as_array().unwrap().iter().all(|r| r["branch"] == "main"));
    let projects = app.get("/api/v1/projects").await.value();
    assert_eq!(projects[0]["slug"], "web");
    assert_eq!(projects[0]["run_count"], 7);
    assert_eq!(projects[0]["latest_run"]["name"], "r6");
}

/// A stored value that does not decode is an error with an id (logged),
/// never a silent default in the answer.
async fn stored_values_that_do_not_decode_are_errors(app: TestApp) {
    let token = app.project("web").await;
    let job = app.run_and_job(&token, "web", "r1", None, "linux").await;
    assert_eq!(app.get("/api/v1/projects/web/runs/r1").await.status, StatusCode::OK);
    server::on_db!(&app.db, p => sqlx::query("UPDATE runs SET status = 'exploded'").execute(p).await.map(|_| ()))
        .unwrap();
    let res = app.get("/api/v1/projects/web/runs/r1").await;
    res.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error (id ");
    assert!(!res.text().contains("exploded"), "details stay in the log: {}", res.text());
    server::on_db!(&app.db, p => sqlx::query("UPDATE runs SET status = 'passed'").execute(p).await.map(|_| ()))
        .unwrap();
    server::on_db!(&app.db, p => sqlx::query("UPDATE jobs SET labels = '[1,'").execute(p).await.map(|_| ())).unwrap();
    app.get(&job).await.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error (id ");
}

both_backends! {
    stored_values_that_do_not_decode_are_errors => stored_values_that_do_not_decode_are_errors;
    health_and_openapi => health_and_openapi;
    runs_are_idempotent_on_name => runs_are_idempotent_on_name;
    numeric_run_names_win_over_ids => numeric_run_names_win_over_ids;
    bad_input_gets_a_clear_4xx => bad_input_gets_a_clear_4xx;
    writes_need_a_token_of_the_project => writes_need_a_token_of_the_project;
    jobs_are_idempotent_and_drive_run_status => jobs_are_idempotent_and_drive_run_status;
    runs_list_newest_first_with_branch_filter_and_pages => runs_list_newest_first_with_branch_filter_and_pages;
}
