//! The pixel-diff benchmark's images as files, and the diff timed from
//! files as `assay diff` runs it (PNG decoding included), for the side by
//! side with blazediff, which reads files too. Run by
//! `scripts/bench-pixeldiff.sh`.
//!
//! `cargo run --release -p shared --example pixeldiff_files -- write DIR`
//! writes `{1080p,4k}-a.png` and `{1080p,4k}-{identical,few,many}.png`;
//! `… -- time DIR [ROUNDS]` prints, per pair, the pixels that differ, the
//! median time from files (decode both, compare) and of the comparison
//! alone.

use shared::pixeldiff::{Options, diff};
use std::path::Path;
use std::time::Instant;

#[path = "../benches/support/scenes.rs"]
mod scenes;
use scenes::{PAIRS, SIZES, changed, scene};

fn label(w: u32) -> &'static str {
    if w == 1920 { "1080p" } else { "4k" }
}

fn save(path: &Path, w: u32, h: u32, rgba: Vec<u8>) {
    let img = image::RgbaImage::from_raw(w, h, rgba).expect("the buffer holds w×h pixels");
    img.save(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn load(path: &Path) -> (u32, u32, Vec<u8>) {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).into_rgba8();
    (img.width(), img.height(), img.into_raw())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, dir) = match args.as_slice() {
        [cmd, dir, ..] => (cmd.as_str(), Path::new(dir)),
        _ => {
            eprintln!("usage: pixeldiff_files write|time DIR [ROUNDS]");
            std::process::exit(2);
        }
    };
    match cmd {
        "write" => {
            std::fs::create_dir_all(dir).expect("the directory can be made");
            for (w, h) in SIZES {
                let a = scene(w, h);
                for (name, n) in PAIRS {
                    save(&dir.join(format!("{}-{name}.png", label(w))), w, h, changed(&a, w, h, n));
                }
                save(&dir.join(format!("{}-a.png", label(w))), w, h, a);
            }
        }
        "time" => {
            let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(9);
            println!("{:<6} {:<10} {:>10} {:>16} {:>14}", "size", "pair", "differing", "from files ms", "diff only ms");
            for (w, _) in SIZES {
                let a_path = dir.join(format!("{}-a.png", label(w)));
                for (name, _) in PAIRS {
                    let b_path = dir.join(format!("{}-{name}.png", label(w)));
                    let (mut files, mut only) = (Vec::new(), Vec::new());
                    let mut n = 0;
                    for _ in 0..rounds {
                        let t = Instant::now();
                        let (w, h, a) = load(&a_path);
                        let (_, _, b) = load(&b_path);
                        let t_diff = Instant::now();
                        n = diff(&a, &b, None, w, h, &Options::default(), &[]).expect("same sizes").differing;
                        only.push(t_diff.elapsed().as_secs_f64() * 1e3);
                        files.push(t.elapsed().as_secs_f64() * 1e3);
                    }
                    println!("{:<6} {:<10} {:>10} {:>16.2} {:>14.2}", label(w), name, n, median(files), median(only));
                }
            }
        }
        other => {
            eprintln!("unknown command '{other}': write or time");
            std::process::exit(2);
        }
    }
}
