//! `assay diff` (the real binary, for its output and exit codes, on
//! pixelmatch's fixtures) and `assay upload --traces DIR`.

mod common;

use clap::Parser;
use common::{Backend, TestApp};
use server::cli::{Cli, run};
use std::path::PathBuf;
use std::process::Command;

fn pixelmatch(name: &str) -> PathBuf {
    common::corpus("").parent().unwrap().join("pixel-diff/pixelmatch/v7.2.0/test/fixtures").join(name)
}

fn assay(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_assay")).args(args).output().expect("runs assay");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn diff_prints_the_count_first_writes_the_image_and_exits_by_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("diff.png");
    let (a, b) = (pixelmatch("1a.png"), pixelmatch("1b.png"));
    let (code, stdout, _) = assay(&[
        "diff",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--threshold",
        "0.05",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(stdout.lines().next(), Some("143"));
    let got = image::open(&out).unwrap().to_rgba8();
    let want = image::open(pixelmatch("1diff.png")).unwrap().to_rgba8();
    assert!(got.as_raw() == want.as_raw(), "the diff image is pixelmatch's");

    let (code, stdout, _) = assay(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!((code, stdout.lines().next()), (1, Some("106")), "default threshold 0.1");
    let (code, stdout, _) = assay(&["diff", a.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!((code, stdout.lines().next()), (0, Some("0")));

    let (code, _, stderr) = assay(&["diff", a.to_str().unwrap(), pixelmatch("4a.png").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("different sizes")
            && stderr.contains("1a.png")
            && stderr.contains("4a.png")
            && stderr.contains("512×256"),
        "{stderr}"
    );
    let (code, _, stderr) = assay(&["diff", "/nonexistent.png", a.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent.png"), "{stderr}");
    let (code, _, stderr) = assay(&["diff", a.to_str().unwrap(), b.to_str().unwrap(), "--threshold", "2"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--threshold"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_traces_sends_a_replayer_directory() {
    let app = TestApp::new(Backend::Sqlite).await;
    let token = app.project("mesa").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    // A replayer's working directory: its log, the image it kept, the YAML.
    let src = common::corpus("").parent().unwrap().join("render-traces/piglit/generated-locally");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(src.join("trace-fail.txt"), dir.path().join("trace-fail.txt")).unwrap();
    std::fs::copy(src.join("traces-mismatch.yml"), dir.path().join("traces-mismatch.yml")).unwrap();
    let img = "results/trace/gl-test-device/trace1/magenta.testtrace-0-8e0a801367e1714463475a824dab363b.png";
    std::fs::create_dir_all(dir.path().join(img).parent().unwrap()).unwrap();
    std::fs::copy(src.join(img), dir.path().join(img)).unwrap();

    let d = dir.path().to_str().unwrap();
    let args = [
        "upload",
        "--server",
        &base,
        "--token",
        &token,
        "--project",
        "mesa",
        "--run",
        "r1",
        "--job",
        "traces",
        "--traces",
        d,
    ];
    run(Cli::try_parse_from(std::iter::once("assay").chain(args)).unwrap()).await.expect("upload");
    let list = app.get("/api/v1/projects/mesa/runs/r1/jobs/traces/traces").await.value();
    let r = &list["results"][0];
    assert_eq!(r["status"], "mismatch");
    assert_eq!(r["actual_image"]["width"], 32, "the kept image was matched by its path: {list}");
    assert_eq!(
        app.get("/api/v1/projects/mesa/runs/r1/jobs/traces").await.value()["job"]["effective_result"],
        "failure"
    );

    let empty = tempfile::tempdir().unwrap();
    let e = empty.path().to_str().unwrap();
    let args = [
        "upload",
        "--server",
        &base,
        "--token",
        &token,
        "--project",
        "mesa",
        "--run",
        "r1",
        "--job",
        "traces",
        "--traces",
        e,
    ];
    let err = run(Cli::try_parse_from(std::iter::once("assay").chain(args)).unwrap()).await.unwrap_err();
    assert!(err.contains("no results file"), "{err}");
}
