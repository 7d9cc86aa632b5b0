//! Runs the change-point detector over series read from standard input,
//! one JSON object a line (`{"id": "…", "values": [...]}`), and writes
//! one a line: `{"id", "shifts", "variance", "outliers", "too_short", "micros"}`.
//! Used by `scripts/eval-detector.sh`, which scores the answers.
//!
//! Options: `--alpha P`, `--min-segment N`.

use shared::perf::changepoint::{ChangeKind, Settings, detect};
use std::io::{BufRead, Write};

fn main() {
    let mut settings = Settings::default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        match (pair[0].as_str(), pair.get(1)) {
            ("--alpha", Some(v)) => settings.alpha = v.parse().expect("--alpha takes a number"),
            ("--min-segment", Some(v)) => settings.min_segment = v.parse().expect("--min-segment takes a number"),
            (other, _) => panic!("unknown option {other}"),
        }
    }
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.expect("reading standard input");
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line).expect("a JSON object a line");
        let values: Vec<f64> =
            v["values"].as_array().expect("values").iter().map(|x| x.as_f64().expect("numbers")).collect();
        let started = std::time::Instant::now();
        let d = detect(&values, &settings);
        let micros = started.elapsed().as_micros() as u64;
        let of = |k: ChangeKind| d.changes.iter().filter(|c| c.kind == k).map(|c| c.index).collect::<Vec<_>>();
        let answer = serde_json::json!({
            "id": v["id"],
            "shifts": of(ChangeKind::Shift),
            "variance": of(ChangeKind::Variance),
            "outliers": d.outliers,
            "too_short": d.too_short,
            "micros": micros,
        });
        writeln!(out, "{answer}").expect("writing standard output");
    }
}
