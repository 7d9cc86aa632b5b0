//! The `assay` command line against a real server on a real socket.

mod common;

use clap::Parser;
use common::{Backend, TestApp, corpus};
use server::cli::{Cli, run};

async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn cli(args: &[&str]) -> Cli {
    Cli::try_parse_from(std::iter::once("assay").chain(args.iter().copied())).expect("valid command line")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_creates_run_and_job_sends_every_file_and_completes_the_job() {
    let app = TestApp::new(Backend::Sqlite).await;
    let token = app.project("web").await;
    let base = serve(&app).await;
    let dir = corpus("action-junit-report/test_results/tests/utils/target/surefire-reports");
    let pattern = format!("{}/TEST-*.xml", dir.display());
    let args = [
        "upload",
        "--server",
        &base,
        "--token",
        &token,
        "--project",
        "web",
        "--run",
        "build #7",
        "--branch",
        "main",
        "--revision",
        "0123abc",
        "--job",
        "unit tests",
        &pattern,
    ];
    run(cli(&args)).await.expect("upload succeeds");
    let run_detail = app.get("/api/v1/projects/web/runs/build%20%237").await.value();
    assert_eq!(run_detail["run"]["branch"], "main");
    let job = &run_detail["jobs"][0];
    assert_eq!(job["key"], "unit tests");
    assert_eq!(job["state"], "completed");
    assert_eq!(job["upload_count"], 3, "three TEST-*.xml files");
    // AllOkTest 1, CalcUtilsTest 2 (2 failed), StringUtilsTest 5 (2 failed, 1 skipped)
    assert_eq!(job["counts"]["total"], 8);
    assert_eq!(job["counts"]["failed"], 4);
    assert_eq!(job["effective_result"], "failure");

    // Again: idempotent, nothing new stored.
    run(cli(&args)).await.expect("repeat upload succeeds");
    assert_eq!(app.count("SELECT COUNT(*) FROM uploads").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_errors_are_clear_and_fail_the_command() {
    let app = TestApp::new(Backend::Sqlite).await;
    let token = app.project("web").await;
    let base = serve(&app).await;
    let good = corpus("dorny-test-reporter/__tests__/fixtures/jest-junit.xml").display().to_string();
    let base_args = |token: &str, file: &str| -> Vec<String> {
        ["upload", "--server", &base, "--token", token, "--project", "web", "--run", "r", "--job", "j", file]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let parse = |v: Vec<String>| Cli::try_parse_from(std::iter::once("assay".to_string()).chain(v)).unwrap();

    let err = run(parse(base_args("assay_wrong", &good))).await.unwrap_err();
    assert!(err.contains("not valid"), "{err}");
    let err = run(parse(base_args(&token, "/no/such/report.xml"))).await.unwrap_err();
    assert!(err.contains("no such file: /no/such/report.xml"), "{err}");
    let corrupt = corpus("publish-unit-test-result-action/python/test/files/junit-xml/pytest/corrupt-xml.xml");
    let err = run(parse(base_args(&token, &corrupt.display().to_string()))).await.unwrap_err();
    assert!(err.contains("corrupt-xml.xml: line 11"), "{err}");
    assert_eq!(app.count("SELECT COUNT(*) FROM test_results").await, 0);
    let err = run(cli(&[
        "upload",
        "--server",
        "http://127.0.0.1:9",
        "--token",
        &token,
        "--project",
        "web",
        "--run",
        "r",
        "--job",
        "j",
        &good,
    ]))
    .await
    .unwrap_err();
    assert!(err.contains("cannot reach"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_and_token_commands_act_on_the_serve_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    run(cli(&["project", "create", "api-svc", "--name", "API service", "--data-dir", &data])).await.unwrap();
    let err = run(cli(&["project", "create", "api-svc", "--data-dir", &data])).await.unwrap_err();
    assert!(err.contains("already exists"), "{err}");
    let err = run(cli(&["project", "create", "Bad Slug", "--data-dir", &data])).await.unwrap_err();
    assert!(err.contains("invalid project slug"), "{err}");
    let err = run(cli(&["token", "create", "nope", "--data-dir", &data])).await.unwrap_err();
    assert!(err.contains("project 'nope' not found"), "{err}");
    run(cli(&["token", "create", "api-svc", "--data-dir", &data])).await.unwrap();
    let db = server::db::Db::connect(None, dir.path()).await.unwrap();
    let stored: Vec<String> =
        server::on_db!(&db, p => sqlx::query_scalar("SELECT token_hash FROM api_tokens").fetch_all(p).await).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].len(), 64, "only a SHA-256 is stored");
    assert!(!stored[0].starts_with("assay_"));
}
