//! The pixel diff's own time (RGBA in memory, diff image drawn) on
//! 1920×1080 and 3840×2160 pairs: identical, a few differences, many
//! differences. The comparisons with blazediff (native) and pixelmatch
//! (in Chromium, against our WASM build) are in `scripts/bench-pixeldiff.sh`.
//!
//! `cargo bench -p shared --bench pixeldiff [-- ROUNDS]`

use shared::pixeldiff::{Options, diff};
use std::time::Instant;

#[path = "support/scenes.rs"]
mod scenes;
use scenes::{PAIRS, SIZES, changed, scene};

fn main() {
    let rounds: usize =
        std::env::args().skip(1).find(|a| !a.starts_with('-')).and_then(|a| a.parse().ok()).unwrap_or(15);
    println!("{:<10} {:<10} {:>10} {:>12} {:>10}", "size", "pair", "differing", "median ms", "min ms");
    for (w, h) in SIZES {
        let a = scene(w, h);
        let pairs: Vec<(&str, Vec<u8>)> = PAIRS.iter().map(|(name, n)| (*name, changed(&a, w, h, *n))).collect();
        let mut out = vec![0u8; a.len()];
        for (name, b) in &pairs {
            let mut times = Vec::with_capacity(rounds);
            let mut n = 0;
            for _ in 0..rounds {
                let t = Instant::now();
                n = diff(&a, b, Some(&mut out), w, h, &Options::default(), &[]).unwrap().differing;
                times.push(t.elapsed().as_secs_f64() * 1e3);
            }
            times.sort_by(f64::total_cmp);
            println!(
                "{:<10} {:<10} {:>10} {:>12.2} {:>10.2}",
                format!("{w}x{h}"),
                name,
                n,
                times[rounds / 2],
                times[0]
            );
        }
    }
}
