//! The pixel diff's own time (RGBA in memory, diff image drawn) on
//! 1920×1080 and 3840×2160 pairs: identical, a few differences, many
//! differences. The comparisons with blazediff (native) and pixelmatch
//! (in Chromium, against our WASM build) are in `scripts/bench-pixeldiff.sh`.
//!
//! `cargo bench -p shared --bench pixeldiff [-- ROUNDS]`

use shared::pixeldiff::{Options, diff};
use std::time::Instant;

/// A rendering-like image: gradients, flat areas and hard edges.
pub fn scene(w: u32, h: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let inside = (x / 64 + y / 64) % 3 == 0;
            let (r, g, b) = if inside { (200, 40, 40) } else { ((x * 255 / w) as u8, (y * 255 / h) as u8, 128) };
            v.extend_from_slice(&[r, g, b, 255]);
        }
    }
    v
}

/// `scene` with `n` scattered squares of 8×8 changed.
pub fn changed(img: &[u8], w: u32, h: u32, n: u32) -> Vec<u8> {
    let mut v = img.to_vec();
    let mut seed = 0x9E37_79B9u32;
    for _ in 0..n {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let (cx, cy) = (seed % (w - 8), (seed / 7) % (h - 8));
        for y in cy..cy + 8 {
            for x in cx..cx + 8 {
                let i = ((y * w + x) * 4) as usize;
                v[i] = 255 - v[i];
                v[i + 1] = v[i + 1].wrapping_add(90);
            }
        }
    }
    v
}

fn main() {
    let rounds: usize =
        std::env::args().skip(1).find(|a| !a.starts_with('-')).and_then(|a| a.parse().ok()).unwrap_or(15);
    println!("{:<10} {:<10} {:>10} {:>12} {:>10}", "size", "pair", "differing", "median ms", "min ms");
    for (w, h) in [(1920u32, 1080u32), (3840, 2160)] {
        let a = scene(w, h);
        let pairs = [("identical", a.clone()), ("few", changed(&a, w, h, 20)), ("many", changed(&a, w, h, 4000))];
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
