//! Artifact throughput against the real `assay` binary: upload (HTTP
//! request to committed answer) and download (first byte to last, written
//! to a file) of 1 MB and 1 GB files, with blobs on the local filesystem
//! and on a local S3-compatible server (moto's, started here unless
//! ASSAY_BENCH_S3_ENDPOINT names one), beside `cp` of the same file on the
//! same disk as the ceiling; and the server's peak RSS over each transfer.
//!
//! `cargo bench -p server --bench artifacts -- [--sizes-mb 1,1024] [--stores files,s3] [--reps 5]`

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Args {
    sizes_mb: Vec<u64>,
    stores: Vec<String>,
    reps: usize,
}

fn args() -> Args {
    let mut a = Args { sizes_mb: vec![1, 1024], stores: vec!["files".into(), "s3".into()], reps: 5 };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let next = || argv.get(i + 1).cloned().unwrap_or_else(|| panic!("{} needs a value", argv[i]));
        match argv[i].as_str() {
            "--sizes-mb" => {
                a.sizes_mb = next().split(',').map(|n| n.trim().parse().expect("--sizes-mb takes numbers")).collect();
                i += 1;
            }
            "--stores" => {
                a.stores = next().split(',').map(|s| s.trim().to_owned()).collect();
                i += 1;
            }
            "--reps" => {
                a.reps = next().parse().expect("--reps takes a number");
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    a
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing answered on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// moto's S3 server, and a bucket on it.
fn s3_server() -> (Option<Killed>, String) {
    if let Ok(e) = std::env::var("ASSAY_BENCH_S3_ENDPOINT") {
        return (None, e);
    }
    let port = free_port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server (pip install 'moto[server]') starts");
    wait_for(port);
    (Some(Killed(child)), format!("http://127.0.0.1:{port}"))
}

struct Server {
    child: Killed,
    base: String,
    token: String,
}

fn start(data: &std::path::Path, s3: Option<(&str, &str)>) -> Server {
    let assay = env!("CARGO_BIN_EXE_assay");
    let mut env: Vec<(String, String)> = vec![("ASSAY_DATA_DIR".into(), data.display().to_string())];
    if let Some((endpoint, bucket)) = s3 {
        env.extend(
            [
                ("ASSAY_OBJECT_STORE", format!("s3://{bucket}/blobs")),
                ("AWS_ENDPOINT_URL", endpoint.to_owned()),
                ("AWS_ALLOW_HTTP", "true".into()),
                ("AWS_ACCESS_KEY_ID", "bench".into()),
                ("AWS_SECRET_ACCESS_KEY", "bench".into()),
                ("AWS_REGION", "us-east-1".into()),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        );
    }
    let run = |args: &[&str]| {
        let out = Command::new(assay).args(args).envs(env.clone()).output().expect("assay runs");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    run(&["project", "create", "bench"]);
    let token = run(&["token", "create", "bench"]);
    let port = free_port();
    let child = Command::new(assay)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--max-body-bytes", &(4u64 << 30).to_string()])
        .envs(env)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("server starts");
    wait_for(port);
    Server { child: Killed(child), base: format!("http://127.0.0.1:{port}"), token }
}

/// Resident set size of a process, in MiB.
fn rss(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// The highest RSS of `pid` while `work` runs, sampled every 20 ms.
async fn peak_rss<T>(pid: u32, work: impl std::future::Future<Output = T>) -> (T, f64) {
    let peak = std::sync::Arc::new(std::sync::Mutex::new(rss(pid)));
    let sampling = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                let now = rss(pid);
                {
                    let mut p = peak.lock().unwrap();
                    if now > *p {
                        *p = now;
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let out = work.await;
    sampling.abort();
    let p = *peak.lock().unwrap();
    (out, p)
}

/// A file of `mb` MiB of incompressible bytes.
fn make_file(dir: &std::path::Path, mb: u64, seed: u64) -> std::path::PathBuf {
    let path = dir.join(format!("data-{mb}-{seed}.bin"));
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).expect("create"));
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut buf = vec![0u8; 1 << 20];
    for _ in 0..mb {
        for chunk in buf.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
        w.write_all(&buf).expect("write");
    }
    w.flush().expect("flush");
    path
}

/// Writes dirty pages out, so that one measurement does not pay for the
/// write-back of the one before.
fn settle() {
    let _ = Command::new("sync").status();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Creates the run and job, then uploads the file with curl (a client
/// that costs next to nothing, so the figure is the server's).
async fn upload(client: &reqwest::Client, s: &Server, job: &str, path: &std::path::Path) -> (i64, f64) {
    let auth = format!("Bearer {}", s.token);
    let api = format!("{}/api/v1/projects/bench/runs", s.base);
    for (url, body) in [
        (api.clone(), serde_json::json!({"name": job})),
        (format!("{api}/{job}/jobs"), serde_json::json!({"key": "j"})),
    ] {
        let r = client.post(url).header("Authorization", &auth).json(&body).send().await.expect("create");
        assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    }
    let answer = path.with_extension("answer.json");
    let t = Instant::now();
    let out = Command::new("curl")
        .args(["-sS", "-o"])
        .arg(&answer)
        .args(["-w", "%{http_code}", "-H", &format!("Authorization: {auth}"), "-F"])
        .arg(format!("file=@{}", path.display()))
        .arg(format!("{api}/{job}/jobs/j/artifacts"))
        .output()
        .expect("curl runs");
    let secs = t.elapsed().as_secs_f64();
    let status = String::from_utf8_lossy(&out.stdout).to_string();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&answer).expect("answer")).expect("JSON answer");
    let _ = std::fs::remove_file(&answer);
    assert_eq!(status, "200", "upload: {v}");
    assert_eq!(v["files"][0]["duplicate"], false, "each upload stores new content");
    (v["files"][0]["artifact"]["id"].as_i64().expect("artifact id"), secs)
}

/// Downloads with curl into a file on the same disk (as `cp` writes one).
fn download(s: &Server, id: i64, to: &std::path::Path) -> (u64, f64) {
    let t = Instant::now();
    let out = Command::new("curl")
        .args(["-sS", "-o"])
        .arg(to)
        .args(["-w", "%{http_code}", &format!("{}/api/v1/artifacts/{id}/download", s.base)])
        .output()
        .expect("curl runs");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "200");
    (std::fs::metadata(to).expect("downloaded").len(), secs)
}

fn main() {
    let a = args();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let client = reqwest::Client::new();
    let work =
        tempfile::tempdir_in(std::env::var("ASSAY_BENCH_DIR").unwrap_or_else(|_| "/tmp".into())).expect("work dir");
    let (_moto, endpoint) = if a.stores.iter().any(|s| s == "s3") { s3_server() } else { (None, String::new()) };
    println!("# assay artifact benchmarks (medians of {} transfers each)", a.reps);
    println!("| size | store | cp | upload | download | server peak RSS |");
    println!("|---|---|---|---|---|---|");
    for &mb in &a.sizes_mb {
        let reps = if mb >= 512 { a.reps.min(3) } else { a.reps };
        let sources: Vec<_> = (0..reps).map(|r| make_file(work.path(), mb, 1 + r as u64)).collect();
        // The ceiling: the same bytes copied on the same disk.
        let cp = median(
            sources
                .iter()
                .map(|src| {
                    let dst = work.path().join("cp-copy");
                    settle();
                    let t = Instant::now();
                    std::fs::copy(src, &dst).expect("cp");
                    let secs = t.elapsed().as_secs_f64();
                    let _ = std::fs::remove_file(&dst);
                    secs
                })
                .collect(),
        );
        for store in &a.stores {
            let data = work.path().join(format!("data-{store}-{mb}"));
            let bucket = format!("bench-{mb}");
            if store == "s3" {
                let ok = rt.block_on(async { reqwest::Client::new().put(format!("{endpoint}/{bucket}")).send().await });
                assert!(ok.map(|r| r.status().is_success()).unwrap_or(false), "bucket on {endpoint}");
            }
            let s = start(&data, (store == "s3").then_some((endpoint.as_str(), bucket.as_str())));
            let pid = s.child.0.id();
            let (mut ups, mut downs, mut peak) = (Vec::new(), Vec::new(), 0f64);
            for (r, src) in sources.iter().enumerate() {
                settle();
                let ((id, up), p1) = rt.block_on(peak_rss(pid, upload(&client, &s, &format!("run-{r}"), src)));
                let dst = work.path().join("downloaded");
                settle();
                let ((n, down), p2) = rt.block_on(peak_rss(pid, async { download(&s, id, &dst) }));
                assert_eq!(n, mb << 20);
                let _ = std::fs::remove_file(&dst);
                ups.push(up);
                downs.push(down);
                peak = peak.max(p1).max(p2);
            }
            let (up, down) = (median(ups), median(downs));
            let rate = |secs: f64| (mb as f64) / secs;
            println!(
                "| {mb} MiB | {store} | {:.3} s ({:.0} MiB/s) | {:.3} s ({:.0} MiB/s, {:.1}× cp) | {:.3} s ({:.0} MiB/s, {:.1}× cp) | {peak:.0} MiB |",
                cp,
                rate(cp),
                up,
                rate(up),
                up / cp,
                down,
                rate(down),
                down / cp
            );
            drop(s);
            let _ = std::fs::remove_dir_all(&data);
        }
        for src in sources {
            let _ = std::fs::remove_file(src);
        }
    }
}
