//! Quick parse-rate probe: `cargo run --release -p shared --example parse_rate [cases]`.
use shared::report::{FormatChoice, parse, synthetic::junit_report};
use std::time::Instant;

fn main() {
    let cases: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let doc = junit_report(cases, 0);
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let mut n = 0u64;
        parse(doc.as_bytes(), FormatChoice::Auto, |_| {
            n += 1;
            Ok(())
        })
        .unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(n as usize, cases);
    }
    println!(
        "{cases} cases, {:.1} MB: best {:.3}s = {:.0} results/s",
        doc.len() as f64 / 1e6,
        best,
        cases as f64 / best
    );
}
