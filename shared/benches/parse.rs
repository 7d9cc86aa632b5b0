//! Parse rate of the JUnit parser on a synthetic 100,000-case report (10%
//! failing with multi-line messages, stack traces and stdout).
//!
//! `cargo bench -p shared --bench parse [-- CASES]`

use shared::report::{FormatChoice, parse, synthetic::junit_report};
use std::time::Instant;

fn main() {
    let cases: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let doc = junit_report(cases, 0);
    let mb = doc.len() as f64 / 1e6;
    let mut times = Vec::new();
    for _ in 0..11 {
        let start = Instant::now();
        let mut n = 0usize;
        let outcome = parse(doc.as_bytes(), FormatChoice::Auto, |case| {
            n += 1;
            std::hint::black_box(case);
            Ok(())
        })
        .expect("synthetic report parses");
        times.push(start.elapsed().as_secs_f64());
        assert_eq!(n, cases);
        assert_eq!(outcome.counts.total as usize, cases);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let best = times[0];
    println!(
        "parse: {cases} cases ({mb:.1} MB): median {:.0} ms = {:.0} results/s ({:.0} MB/s); best {:.0} results/s",
        median * 1e3,
        cases as f64 / median,
        mb / median,
        cases as f64 / best
    );
}
