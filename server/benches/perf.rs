//! Perf results against the real `assay` binary on SQLite: two jobs of N
//! tests (default 20,000) with 10 samples each are uploaded, then their
//! comparison is asked for repeatedly; the figures are the upload time
//! and the comparison's time to the first byte of the answer (the
//! server's work: reading 2 × N measurements, the statistics, and the
//! JSON) and to its last byte. PerfTracker, measured on this machine,
//! took 1.57 s to compare 2 × 2,000 tests.
//!
//! `cargo bench -p server --bench perf -- [--tests 20000] [--reps 9]`

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn arg(name: &str, default: usize) -> usize {
    let argv: Vec<String> = std::env::args().collect();
    argv.iter()
        .position(|a| a == name)
        .and_then(|i| argv.get(i + 1))
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(default)
}

fn document(tests: usize, shift: f64, seed: u64) -> Vec<u8> {
    let mut x = seed;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut out = String::from(r#"{"format": "assay-perf/1", "tests": ["#);
    for i in 0..tests {
        let base = 10.0 + (i % 100) as f64;
        let samples: Vec<String> = (0..10).map(|_| format!("{:.4}", base * shift * (0.98 + 0.04 * next()))).collect();
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"name": "test {i}", "group": "group {}", "metrics": [{{"name": "time", "unit": "ms", "samples": [{}]}}]}}"#,
            i % 20,
            samples.join(", ")
        ));
    }
    out.push_str("]}");
    out.into_bytes()
}

fn curl(args: &[&str]) -> String {
    let out = Command::new("curl").args(args).output().expect("curl runs");
    assert!(out.status.success(), "curl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn main() {
    let tests = arg("--tests", 20_000);
    let reps = arg("--reps", 9);
    let assay = env!("CARGO_BIN_EXE_assay");
    let data = tempfile::tempdir().expect("a temporary directory");
    let env = [("ASSAY_DATA_DIR", data.path().display().to_string())];
    let run = |args: &[&str]| {
        let out = Command::new(assay).args(args).envs(env.clone()).output().expect("assay runs");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    run(&["project", "create", "bench"]);
    let token = run(&["token", "create", "bench"]);
    let port = free_port();
    let _server = Killed(
        Command::new(assay)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .envs(env.clone())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("server starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not answer");
        std::thread::sleep(Duration::from_millis(100));
    }
    let base = format!("http://127.0.0.1:{port}/api/v1/projects/bench");
    let auth = format!("Authorization: Bearer {token}");
    let mut ids = Vec::new();
    for (run_name, shift) in [("r1", 1.0), ("r2", 1.01)] {
        let json = ["-fsS", "-H", &auth, "-H", "content-type: application/json"];
        curl(&[&json[..], &["-d", &format!(r#"{{"name": "{run_name}"}}"#), &format!("{base}/runs")]].concat());
        let job = curl(&[&json[..], &["-d", r#"{"key": "bench"}"#, &format!("{base}/runs/{run_name}/jobs")]].concat());
        let id = serde_json::from_str::<serde_json::Value>(&job).expect("a job")["id"].as_i64().expect("an id");
        ids.push(id);
        let file = data.path().join(format!("{run_name}.json"));
        std::fs::write(&file, document(tests, shift, 7 + id as u64)).expect("writing the document");
        let start = Instant::now();
        curl(&[
            "-fsS",
            "-o",
            "/dev/null",
            "-H",
            &auth,
            "-H",
            "content-type: application/json",
            "--data-binary",
            &format!("@{}", file.display()),
            &format!("{base}/runs/{run_name}/jobs/bench/perf-results"),
        ]);
        println!("upload of {tests} tests × 10 samples: {:.0} ms", start.elapsed().as_secs_f64() * 1e3);
    }
    let url = format!("http://127.0.0.1:{port}/api/v1/compare?jobs={},{}", ids[0], ids[1]);
    let mut first = Vec::new();
    let mut total = Vec::new();
    for _ in 0..reps {
        let t = curl(&["-fsS", "-o", "/dev/null", "-w", "%{time_starttransfer} %{time_total}", &url]);
        let mut parts = t.split_whitespace().map(|v| v.parse::<f64>().expect("curl's timing") * 1e3);
        first.push(parts.next().expect("first byte"));
        total.push(parts.next().expect("last byte"));
    }
    first.sort_by(f64::total_cmp);
    total.sort_by(f64::total_cmp);
    println!(
        "compare 2 jobs × {tests} metrics × 10 samples: first byte {:.0} ms median ({:.0}–{:.0}), whole answer {:.0} ms median, {reps} runs",
        first[reps / 2],
        first[0],
        first[reps - 1],
        total[reps / 2]
    );
}
