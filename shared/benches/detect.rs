//! Change-point detection time on a series of N points (default 10,000):
//! three level shifts under 2% noise with a few outliers, as a busy
//! series' history looks; and the comparison of two jobs of M metrics
//! (default 20,000) with 10 samples each (the statistics alone; the
//! server's figure, with the database, is in `server/benches/perf.rs`).
//!
//! `cargo bench -p shared --bench detect [-- POINTS [METRICS]]`

use shared::perf::Direction;
use shared::perf::changepoint::{Settings, detect};
use shared::perf::compare::{CompareJob, Measurement, View, compare};
use std::time::Instant;

struct Noise(u64);
impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.next()).sum::<f64>() - 6.0
    }
}

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let points = args.first().copied().unwrap_or(10_000);
    let metrics = args.get(1).copied().unwrap_or(20_000);
    let mut noise = Noise(42);
    let series: Vec<f64> = (0..points)
        .map(|i| {
            let level = match i * 4 / points {
                0 => 100.0,
                1 => 110.0,
                2 => 95.0,
                _ => 120.0,
            };
            let spike = if i % 997 == 500 { 1.5 } else { 1.0 };
            level * spike * (1.0 + 0.02 * noise.normal())
        })
        .collect();
    let settings = Settings::default();
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..7 {
        let start = Instant::now();
        let d = detect(&series, &settings);
        times.push(start.elapsed().as_secs_f64() * 1e3);
        found = d.alerts(&settings).count();
    }
    println!("detection, {points} points: median {:.1} ms ({found} level shifts found; 3 made)", median(times));

    let job = |id: i64| CompareJob {
        id,
        project: "bench".into(),
        run_id: id,
        run: format!("r{id}"),
        key: "bench".into(),
        name: "bench".into(),
        revision: None,
        branch: None,
        platform: None,
        machine: None,
        regression: None,
        created_at: chrono::DateTime::UNIX_EPOCH,
    };
    let side = |shift: f64, noise: &mut Noise| -> Vec<Measurement> {
        (0..metrics)
            .map(|i| {
                let base = 10.0 + (i % 100) as f64;
                let samples: Vec<f64> = (0..10).map(|_| base * shift * (1.0 + 0.02 * noise.normal())).collect();
                Measurement {
                    series_id: i as i64,
                    test: format!("test {i}"),
                    group: format!("group {}", i % 20),
                    category: String::new(),
                    metric: "time".into(),
                    unit: "ms".into(),
                    direction: Direction::Lower,
                    value: samples.iter().sum::<f64>() / 10.0,
                    samples,
                }
            })
            .collect()
    };
    let (a, b) = (side(1.0, &mut noise), side(1.01, &mut noise));
    let mut times = Vec::new();
    for _ in 0..7 {
        let (a, b) = (a.clone(), b.clone());
        let start = Instant::now();
        let c = compare(vec![job(1), job(2)], vec![a, b], &View::default());
        times.push(start.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(c);
    }
    println!("comparison statistics, 2 jobs × {metrics} metrics × 10 samples: median {:.1} ms", median(times));
}
