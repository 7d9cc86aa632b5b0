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
async fn upload_sends_artifacts_beside_reports_in_one_call() {
    let app = TestApp::new(Backend::Sqlite).await;
    let token = app.project("web").await;
    let base = serve(&app).await;
    let report = corpus("dorny-test-reporter/__tests__/fixtures/jest-junit.xml").display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("build.log");
    std::fs::write(&log, "step 1\nstep 2\n").unwrap();
    let shot = dir.path().join("shot.png");
    std::fs::write(&shot, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let pattern = format!("{}/*.png", dir.path().display());
    let args = [
        "upload",
        "--server",
        &base,
        "--token",
        &token,
        "--project",
        "web",
        "--run",
        "r",
        "--job",
        "j",
        &report,
        "--artifact",
        log.to_str().unwrap(),
        "--artifact",
        &pattern,
        "--artifact-test",
        "Passing test",
        "--artifact-expires",
        "30d",
    ];
    run(cli(&args)).await.expect("upload succeeds");
    let job = app.get("/api/v1/projects/web/runs/r/jobs/j").await.value();
    assert_eq!(job["job"]["counts"]["total"], 6);
    assert_eq!(job["job"]["artifact_count"], 2);
    assert_eq!(job["job"]["state"], "completed");
    let names: Vec<&str> = job["artifacts"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["build.log", "shot.png"]);
    assert_eq!(job["artifacts"][1]["content_type"], "image/png");
    assert_eq!(job["artifacts"][0]["tests"][0]["name"], "Test 1.Passing test");
    assert!(job["artifacts"][0]["expires_at"].is_string());
    // Artifacts alone are an upload too; a bad duration is refused before anything is sent.
    let log = log.to_str().unwrap();
    let only = ["upload", "--server", &base, "--token", &token, "--project", "web", "--run", "r", "--job", "k"];
    let with = |extra: &[&'static str]| -> Vec<String> {
        only.iter()
            .map(|s| s.to_string())
            .chain(["--artifact", log].map(String::from))
            .chain(extra.iter().map(|s| s.to_string()))
            .collect()
    };
    let parse = |v: Vec<String>| Cli::try_parse_from(std::iter::once("assay".to_string()).chain(v)).unwrap();
    run(parse(with(&[]))).await.expect("artifacts only");
    let err = run(parse(with(&["--artifact-expires", "soon"]))).await.unwrap_err();
    assert!(err.contains("--artifact-expires"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_sends_perf_results_named_by_their_path() {
    let app = TestApp::new(Backend::Sqlite).await;
    let token = app.project("bench").await;
    let base = serve(&app).await;
    // A criterion tree as `cargo bench` leaves it: the benchmark is named by
    // the directories above new/estimates.json.
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir =
        corpus("x").parent().unwrap().parent().unwrap().join("benchmarks/generated-locally/criterion-0.5.1");
    for bench in ["fib 15", "fib_group/5"] {
        let to = dir.path().join("target/criterion").join(bench).join("new");
        std::fs::create_dir_all(&to).unwrap();
        std::fs::copy(corpus_dir.join(bench).join("new/estimates.json"), to.join("estimates.json")).unwrap();
    }
    let pattern = format!("{}/target/criterion/**/new/estimates.json", dir.path().display());
    let args = [
        "upload",
        "--server",
        &base,
        "--token",
        &token,
        "--project",
        "bench",
        "--run",
        "r",
        "--job",
        "j",
        "--perf",
        &pattern,
    ];
    run(cli(&args)).await.expect("upload succeeds");
    let job = app.get("/api/v1/projects/bench/runs/r/jobs/j").await.value();
    assert_eq!((job["job"]["perf_tests"].as_i64(), job["job"]["state"].as_str()), (Some(2), Some("completed")));
    let series = app.get("/api/v1/projects/bench/series").await.value();
    let mut tests: Vec<&str> = series.as_array().unwrap().iter().map(|s| s["test"].as_str().unwrap()).collect();
    tests.sort();
    tests.dedup();
    assert_eq!(tests, ["fib 15", "fib_group/5"]);
    // A file that is not a perf report fails the command, naming it.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{}").unwrap();
    let bad = bad.display().to_string();
    let args = [
        "upload",
        "--server",
        &base,
        "--token",
        &token,
        "--project",
        "bench",
        "--run",
        "r",
        "--job",
        "j",
        "--perf",
        &bad,
    ];
    let err = run(cli(&args)).await.unwrap_err();
    assert!(err.contains("bad.json") && err.contains("uploading perf results"), "{err}");
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

/// Runs the real `assay` binary on a data directory, feeding `stdin`.
fn assay(data: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(args)
        .env("ASSAY_DATA_DIR", data)
        .env_remove("DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("assay runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_and_token_commands_of_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let text = |o: &std::process::Output| {
        (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
    };

    // A one-time password is printed (stdout), with a note (stderr).
    let out = assay(data, &["user", "create", "ada", "--admin"], "");
    assert!(out.status.success(), "{:?}", text(&out));
    let (stdout, stderr) = text(&out);
    assert_eq!(stdout.trim().len(), 20, "{stdout}");
    assert!(stderr.contains("one-time password"), "{stderr}");
    // Or read from stdin; short passwords are refused with a reason.
    let out = assay(data, &["user", "create", "bob", "--password-stdin"], "a fine long password\n");
    assert!(out.status.success(), "{:?}", text(&out));
    let out = assay(data, &["user", "create", "cy", "--password-stdin"], "short\n");
    assert!(!out.status.success());
    assert!(text(&out).1.contains("at least 10 characters"), "{:?}", text(&out));
    let out = assay(data, &["user", "create", "ADA"], "");
    assert!(text(&out).1.contains("already exists"), "{:?}", text(&out));

    assert!(assay(data, &["project", "create", "web"], "").status.success());
    let out = assay(data, &["token", "create", "web", "--name", "ci-main"], "");
    let token = text(&out).0.trim().to_owned();
    assert!(token.starts_with("assay_"));
    let prefix: String = token.chars().take(12).collect();
    let out = assay(data, &["token", "list", "web"], "");
    let (listing, _) = text(&out);
    assert!(
        listing.contains(&prefix)
            && listing.contains("ci-main")
            && listing.contains("live")
            && listing.contains("never"),
        "{listing}"
    );
    assert!(!listing.contains(&token), "the secret is never listed");
    let out = assay(data, &["token", "revoke", "web", &prefix], "");
    assert!(out.status.success(), "{:?}", text(&out));
    let (listing, _) = text(&assay(data, &["token", "list", "web"], ""));
    assert!(listing.contains("revoked"), "{listing}");
    let out = assay(data, &["token", "revoke", "web", &prefix], "");
    assert!(!out.status.success());
    assert!(text(&out).1.contains("no live token"), "{:?}", text(&out));

    // A secret leaked in a CI log revokes its own token, never echoed back;
    // so does a name, unless several live tokens share it.
    let leaked = text(&assay(data, &["token", "create", "web", "--name", "nightly"], "")).0.trim().to_owned();
    let out = assay(data, &["token", "revoke", "web", &leaked], "");
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(!text(&out).0.contains(&leaked), "the secret is not printed");
    let (listing, _) = text(&assay(data, &["token", "list", "web"], ""));
    let nightly = listing.lines().find(|l| l.contains("nightly")).unwrap_or_default();
    assert!(nightly.contains("revoked"), "{listing}");
    for _ in 0..2 {
        assert!(assay(data, &["token", "create", "web", "--name", "twin"], "").status.success());
    }
    let out = assay(data, &["token", "revoke", "web", "twin"], "");
    assert!(!out.status.success());
    assert!(text(&out).1.contains("2 live tokens are named 'twin'"), "{:?}", text(&out));
    assert!(assay(data, &["token", "create", "web", "--name", "solo"], "").status.success());
    assert!(assay(data, &["token", "revoke", "web", "solo"], "").status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quarantine_list_prints_one_test_id_a_line() {
    let app = TestApp::new(Backend::Sqlite).await;
    let token = app.project("web").await;
    let base = serve(&app).await;
    let path = app.run_and_job(&token, "web", "r1", Some("main"), "unit").await;
    let xml = "<testsuite name=\"unit\"><testcase classname=\"pkg.Calc\" name=\"adds\"><failure>no</failure></testcase>\
               <testcase name=\"bare\"><failure>no</failure></testcase><testcase classname=\"pkg.Calc\" name=\"ok\"/></testsuite>";
    let res = app.upload(&format!("{path}/test-results"), Some(&token), &[("r.xml", xml.as_bytes().to_vec())]).await;
    assert_eq!(res.status, axum::http::StatusCode::OK, "{}", res.text());
    for (classname, name) in [("pkg.Calc", "adds"), ("", "bare")] {
        let body = serde_json::json!({"suite": "unit", "classname": classname, "name": name, "reason": "flaky"});
        let res = app.post_json("/api/v1/projects/web/quarantine", Some(&token), &body).await;
        assert_eq!(res.status, axum::http::StatusCode::CREATED, "{}", res.text());
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_owned();
    let (b, t) = (base.clone(), token.clone());
    let out = tokio::task::spawn_blocking(move || {
        assay(&data, &["quarantine", "list", "--server", &b, "--token", &t, "--project", "web"], "")
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Newest first.
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "bare\npkg.Calc.adds\n");
    // A project that does not exist fails the command with the server's word.
    let data = dir.path().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        assay(&data, &["quarantine", "list", "--server", &base, "--project", "nope"], "")
    })
    .await
    .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn hawk_commands_of_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let text = |o: &std::process::Output| {
        (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    assert!(assay(data, &["project", "create", "gecko"], "").status.success());
    // "CLIENT_ID SECRET", as treeherder-client's two settings.
    let out = assay(data, &["hawk", "create", "gecko", "--client-id", "taskcluster"], "");
    assert!(out.status.success(), "{:?}", text(&out));
    let (stdout, stderr) = text(&out);
    let parts: Vec<&str> = stdout.split_whitespace().collect();
    assert_eq!(parts.len(), 2, "{stdout}");
    assert_eq!(parts[0], "taskcluster");
    assert!(parts[1].len() >= 40, "{stdout}");
    assert!(stderr.contains("only this once"), "{stderr}");
    assert!(data.join("secret.key").exists(), "the sealing key is made in the data directory");
    let out = assay(data, &["hawk", "create", "gecko", "--client-id", "taskcluster"], "");
    assert!(text(&out).1.contains("already exists"), "{:?}", text(&out));
    let out = assay(data, &["hawk", "create", "gecko"], "");
    assert!(text(&out).0.starts_with("gecko-"), "{:?}", text(&out));
    let (listing, _) = text(&assay(data, &["hawk", "list", "gecko"], ""));
    assert!(listing.contains("taskcluster") && listing.contains("never") && listing.contains("live"), "{listing}");
    assert!(!listing.contains(parts[1]), "the secret is never listed");
    assert!(assay(data, &["hawk", "revoke", "gecko", "taskcluster"], "").status.success());
    let (listing, _) = text(&assay(data, &["hawk", "list", "gecko"], ""));
    assert!(listing.lines().any(|l| l.starts_with("taskcluster") && l.ends_with("revoked")), "{listing}");
    let out = assay(data, &["hawk", "revoke", "gecko", "taskcluster"], "");
    assert!(text(&out).1.contains("no live Hawk client"), "{:?}", text(&out));
}
