//! End-to-end figures for the README, against the real `assay` binary:
//!
//! 1. ingest: one HTTP upload of a 100,000-case JUnit report (10% failing,
//!    multi-line messages, stdout) until its rows are committed;
//! 2. memory: the server's peak RSS while ingesting a ~200 MB report
//!    streamed from disk;
//! 3. latency: p50/p95 of the runs list and the job page API with 10,000
//!    runs and 10 million test results loaded;
//! 4. uploads at the sizes CI really sends (10, 1,000, 10,000 and 100,000
//!    results) on that loaded database: p50/p95 per upload and results/s;
//! 5. the test comparison of two of the largest of those jobs.
//!
//! On SQLite and on PostgreSQL (TEST_DATABASE_URL, default
//! postgres://postgres@127.0.0.1:5432/postgres; a fresh database is made
//! and dropped).
//!
//! `cargo bench -p server --bench ingest -- [--backend sqlite|postgres|both]
//!  [--cases 100000] [--large-mb 200] [--runs 10000] [--per-run 1000]
//!  [--sizes 10,1000,10000,100000] [--skip-large] [--skip-load]`

use futures_util::StreamExt;
use shared::report::synthetic::junit_report;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Args {
    backends: Vec<&'static str>,
    cases: usize,
    large_mb: usize,
    runs: usize,
    per_run: usize,
    skip_large: bool,
    skip_load: bool,
    sizes: Vec<usize>,
}

fn args() -> Args {
    let mut a = Args {
        backends: vec!["sqlite", "postgres"],
        cases: 100_000,
        large_mb: 200,
        runs: 10_000,
        per_run: 1_000,
        skip_large: false,
        skip_load: false,
        sizes: vec![10, 1000, 10_000, 100_000],
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> usize {
        argv.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{} needs a number", argv[i]))
    };
    let mut i = 0;
    while i < argv.len() {
        match argv[i].as_str() {
            "--backend" => {
                a.backends = match argv.get(i + 1).map(String::as_str) {
                    Some("sqlite") => vec!["sqlite"],
                    Some("postgres") => vec!["postgres"],
                    _ => vec!["sqlite", "postgres"],
                };
                i += 1;
            }
            "--cases" => {
                a.cases = num(i);
                i += 1;
            }
            "--large-mb" => {
                a.large_mb = num(i);
                i += 1;
            }
            "--runs" => {
                a.runs = num(i);
                i += 1;
            }
            "--per-run" => {
                a.per_run = num(i);
                i += 1;
            }
            "--sizes" => {
                let list = argv.get(i + 1).expect("--sizes needs a list, e.g. 10,1000");
                a.sizes = list.split(',').map(|n| n.trim().parse().expect("--sizes takes numbers")).collect();
                i += 1;
            }
            "--skip-large" => a.skip_large = true,
            "--skip-load" => a.skip_load = true,
            _ => {} // cargo passes --bench
        }
        i += 1;
    }
    a
}

/// A running `assay serve` on a fresh database, with project `bench`.
struct Server {
    child: Child,
    base: String,
    token: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some((admin, name)) = self.pg.take() {
            let _ = Command::new("psql")
                .arg(&admin)
                .arg("-qc")
                .arg(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .status();
        }
    }
}

fn start(backend: &str, tag: &str) -> Server {
    let assay = env!("CARGO_BIN_EXE_assay");
    // ASSAY_BENCH_DIR keeps the data for inspection (default: a temporary
    // directory, removed afterwards).
    let (dir, data) = match std::env::var("ASSAY_BENCH_DIR") {
        Ok(base) => {
            let d = std::path::Path::new(&base).join(tag);
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).expect("bench dir");
            (None, d)
        }
        Err(_) => {
            let t = tempfile::tempdir().expect("temp dir");
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    let mut pg = None;
    let mut env: Vec<(String, String)> = vec![("ASSAY_DATA_DIR".into(), data.display().to_string())];
    if backend == "postgres" {
        let admin =
            std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("assay_bench_{}_{tag}", std::process::id());
        let ok = Command::new("psql").arg(&admin).arg("-qc").arg(format!("CREATE DATABASE \"{name}\"")).status();
        assert!(ok.map(|s| s.success()).unwrap_or(false), "cannot create a database at {admin}");
        let (base, _) = admin.rsplit_once('/').expect("database URL with a path");
        env.push(("DATABASE_URL".into(), format!("{base}/{name}")));
        pg = Some((admin, name));
    }
    let run = |args: &[&str]| {
        let out = Command::new(assay).args(args).envs(env.clone()).output().expect("assay runs");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    run(&["project", "create", "bench"]);
    let token = run(&["token", "create", "bench"]);
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let child = Command::new(assay)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .envs(env)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("server starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
    Server { child, base: format!("http://127.0.0.1:{port}"), token, _dir: dir, pg }
}

/// Peak and current resident set size of a process, in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmHWM:"), field("VmRSS:"))
}

async fn create_run_and_job(client: &reqwest::Client, s: &Server, run: &str, branch: &str, job: &str) {
    let auth = format!("Bearer {}", s.token);
    let r = client
        .post(format!("{}/api/v1/projects/bench/runs", s.base))
        .header("Authorization", &auth)
        .json(&serde_json::json!({"name": run, "branch": branch}))
        .send()
        .await
        .expect("create run");
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let r = client
        .post(format!("{}/api/v1/projects/bench/runs/{run}/jobs", s.base))
        .header("Authorization", &auth)
        .json(&serde_json::json!({"key": job, "state": "completed"}))
        .send()
        .await
        .expect("create job");
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
}

async fn upload(
    client: &reqwest::Client,
    s: &Server,
    run: &str,
    job: &str,
    body: reqwest::Body,
    len: u64,
) -> serde_json::Value {
    let part = reqwest::multipart::Part::stream_with_length(body, len).file_name("report.xml");
    let res = client
        .post(format!("{}/api/v1/projects/bench/runs/{run}/jobs/{job}/test-results", s.base))
        .header("Authorization", format!("Bearer {}", s.token))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    assert!(status.is_success(), "upload: {status} {text}");
    serde_json::from_str(&text).expect("JSON summary")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// p50 and p95 in milliseconds of `n` sequential GETs, after a warm-up.
async fn latency(client: &reqwest::Client, url: &str, n: usize) -> (f64, f64) {
    for _ in 0..20 {
        client.get(url).send().await.expect("GET").bytes().await.expect("body");
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let res = client.get(url).send().await.expect("GET");
        assert!(res.status().is_success(), "{url}: {}", res.status());
        res.bytes().await.expect("body");
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (percentile(&times, 0.5), percentile(&times, 0.95))
}

async fn ingest_rate(client: &reqwest::Client, backend: &str, cases: usize) {
    let s = start(backend, "ingest");
    create_run_and_job(client, &s, "ingest", "main", "j").await;
    let doc = junit_report(cases, 1);
    let len = doc.len() as u64;
    let t = Instant::now();
    let res = upload(client, &s, "ingest", "j", reqwest::Body::from(doc), len).await;
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(res["total"].as_u64(), Some(cases as u64));
    let (peak, _) = memory(s.child.id());
    println!(
        "ingest: {cases} results ({:.1} MB) uploaded and committed in {secs:.2} s = {:.0} results/s; server peak RSS {peak:.0} MiB",
        len as f64 / 1e6,
        cases as f64 / secs,
    );
}

async fn large_file_memory(client: &reqwest::Client, backend: &str, large_mb: usize) {
    let s = start(backend, "large");
    create_run_and_job(client, &s, "large", "main", "j").await;
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let per_case = junit_report(1000, 2).len() as f64 / 1000.0;
    let cases = (large_mb as f64 * 1e6 / per_case) as usize;
    {
        let mut w = std::io::BufWriter::new(file.as_file());
        w.write_all(junit_report(cases, 2).as_bytes()).expect("write report");
        w.flush().expect("flush report");
    }
    let len = file.as_file().metadata().expect("metadata").len();
    let (_, before) = memory(s.child.id());
    let f = tokio::fs::File::open(file.path()).await.expect("open report");
    let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(f, 256 * 1024));
    let t = Instant::now();
    let res = upload(client, &s, "large", "j", body, len).await;
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(res["total"].as_u64(), Some(cases as u64));
    let (peak, _) = memory(s.child.id());
    println!(
        "large: {:.0} MB report, {cases} results in {secs:.1} s = {:.0} results/s; server peak RSS {peak:.0} MiB (RSS before the upload {before:.0} MiB)",
        len as f64 / 1e6,
        cases as f64 / secs,
    );
}

async fn read_latency(client: &reqwest::Client, backend: &str, runs: usize, per_run: usize, sizes: &[usize]) {
    let s = start(backend, "load");
    let t = Instant::now();
    let progress_every = (runs / 10).max(1);
    let mut loads = futures_util::stream::iter(0..runs)
        .map(|i| {
            let s = &s;
            async move {
                let run = format!("run-{i:05}");
                let branch = if i % 4 == 0 { "dev" } else { "main" };
                create_run_and_job(client, s, &run, branch, "linux").await;
                let doc = junit_report(per_run, 1000 + i as u64);
                let len = doc.len() as u64;
                upload(client, s, &run, "linux", reqwest::Body::from(doc), len).await;
            }
        })
        .buffer_unordered(2);
    let mut done = 0;
    while loads.next().await.is_some() {
        done += 1;
        if done % progress_every == 0 {
            eprintln!("  loaded {done}/{runs} runs ({:.0} s)", t.elapsed().as_secs_f64());
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let total = runs * per_run;
    println!(
        "load: {runs} runs, {total} results in {secs:.0} s ({:.0} results/s, including run and job creation)",
        total as f64 / secs
    );
    let n = 300;
    let runs_url = format!("{}/api/v1/projects/bench/runs?limit=50", s.base);
    let (p50, p95) = latency(client, &runs_url, n).await;
    println!("runs list (GET …/runs?limit=50): p50 {p50:.2} ms, p95 {p95:.2} ms");
    let (p50, p95) = latency(client, &format!("{runs_url}&branch=dev&offset=500"), n).await;
    println!("runs list, branch filter, 11th page: p50 {p50:.2} ms, p95 {p95:.2} ms");
    let job = format!("{}/api/v1/projects/bench/runs/run-{:05}/jobs/linux", s.base, runs / 2);
    let (p50, p95) = latency(client, &job, n).await;
    println!("job page, job and uploads (GET …/jobs/linux): p50 {p50:.2} ms, p95 {p95:.2} ms");
    let (p50, p95) = latency(client, &format!("{job}/test-results?limit=50"), n).await;
    println!("job page, first 50 results failed first (GET …/test-results?limit=50): p50 {p50:.2} ms, p95 {p95:.2} ms");
    let (p50, p95) = latency(client, &format!("{job}/test-results?status=passed&limit=50&offset=200"), n).await;
    println!("job page, passed results, 5th page: p50 {p50:.2} ms, p95 {p95:.2} ms");
    let (peak, _) = memory(s.child.id());
    println!("server peak RSS during load and reads: {peak:.0} MiB");
    upload_sizes(client, &s, total, sizes).await;
    if let Some(&n) = sizes.iter().max() {
        diff_latency(client, &s, n).await;
    }
}

/// The test comparison of two jobs of `n` results each (two of the
/// uploads `upload_sizes` made, different seeds: different failures), on
/// the loaded database.
async fn diff_latency(client: &reqwest::Client, s: &Server, n: usize) {
    let mut ids = Vec::new();
    for r in 0..2 {
        let url = format!("{}/api/v1/projects/bench/runs/sized-{n}-{r}/jobs/linux", s.base);
        let job: serde_json::Value = client.get(&url).send().await.expect("GET job").json().await.expect("job JSON");
        ids.push(job["job"]["id"].as_i64().expect("job id"));
    }
    let url = format!("{}/api/v1/compare/tests?base={}&head={}", s.base, ids[0], ids[1]);
    let answer: serde_json::Value = client.get(&url).send().await.expect("GET diff").json().await.expect("diff JSON");
    let c = &answer["counts"];
    let (p50, p95) = latency(client, &url, 50).await;
    println!(
        "test diff of two {n}-result jobs (GET /compare/tests, {} compared, {} new failures, {} fixed, {} still failing): p50 {p50:.1} ms, p95 {p95:.1} ms",
        c["compared"], c["new_failures"], c["fixed"], c["still_failing"]
    );
}

/// Uploads of each size into their own run and job, timed from the
/// request's first byte to its committed answer (creating the run and job
/// is not counted: CI does that once per job, not per file).
async fn upload_sizes(client: &reqwest::Client, s: &Server, stored: usize, sizes: &[usize]) {
    for &n in sizes {
        let reps = match n {
            0..=1_000 => 40,
            1_001..=10_000 => 12,
            _ => 5,
        };
        let mut times = Vec::with_capacity(reps);
        for r in 0..reps {
            let run = format!("sized-{n}-{r}");
            create_run_and_job(client, s, &run, "main", "linux").await;
            let doc = junit_report(n, 7_000_000 + (n * 100 + r) as u64);
            let len = doc.len() as u64;
            let t = Instant::now();
            let res = upload(client, s, &run, "linux", reqwest::Body::from(doc), len).await;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            assert_eq!(res["total"].as_u64(), Some(n as u64));
        }
        times.sort_by(f64::total_cmp);
        let (p50, p95) = (percentile(&times, 0.5), percentile(&times, 0.95));
        println!(
            "upload of {n} results ({reps} uploads, database holding {stored} results): p50 {p50:.1} ms, p95 {p95:.1} ms = {:.0} results/s at p50",
            n as f64 / (p50 / 1e3)
        );
    }
}

fn main() {
    let a = args();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let client = reqwest::Client::new();
    println!(
        "# assay end-to-end benchmarks ({} cores)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    for backend in &a.backends {
        println!("\n## {backend}");
        rt.block_on(ingest_rate(&client, backend, a.cases));
        if !a.skip_large {
            rt.block_on(large_file_memory(&client, backend, a.large_mb));
        }
        if !a.skip_load {
            rt.block_on(read_latency(&client, backend, a.runs, a.per_run, &a.sizes));
        }
    }
}
