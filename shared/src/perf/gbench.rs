//! Google Benchmark's `--benchmark_format=json` (or `--benchmark_out`):
//! `context` (machine, library build) and `benchmarks`, one row per
//! iteration run (per repetition) and, with repetitions, aggregate rows
//! (mean, median, stddev, cv).
//!
//! Rows of one benchmark (same `run_name`, else `name`) become one test
//! whose samples are the repetitions; aggregate rows are left out, since
//! Assay computes its own from the samples, unless a benchmark has only
//! aggregates (`--benchmark_report_aggregates_only`), when its mean (or
//! lone aggregate) is the value. Times are in the row's `time_unit`;
//! `bytes_per_second` and `items_per_second` are higher-is-better; other
//! numbers in a row are user counters.

use super::json::{At, properties};
use super::{Direction, Metric, PerfError, PerfFormat, PerfReport, PerfStatus, PerfTest};
use serde_json::Value;

/// Row members that are not measurements.
const NOT_COUNTERS: &[&str] = &[
    "name",
    "family_index",
    "per_family_instance_index",
    "run_name",
    "run_type",
    "repetitions",
    "repetition_index",
    "threads",
    "iterations",
    "real_time",
    "cpu_time",
    "time_unit",
    "aggregate_name",
    "aggregate_unit",
    "error_occurred",
    "error_message",
    "label",
    "big_o",
    "rms",
    "complexity_n",
];

struct Row {
    key: String,
    aggregate: Option<String>,
    values: Vec<(String, String, Direction, f64)>,
    error: Option<String>,
    label: Option<String>,
}

pub(crate) fn parse(v: &Value) -> Result<PerfReport, PerfError> {
    let root = At::root(v);
    let mut report = PerfReport::new(PerfFormat::GoogleBenchmark);
    report.job.properties = properties(root.get("context"))?
        .into_iter()
        .filter(|p| !p.value.starts_with('[') && !p.value.starts_with('{'))
        .map(|mut p| {
            p.name = format!("context.{}", p.name);
            p
        })
        .collect();
    let mut rows = Vec::new();
    for b in root.need("benchmarks")?.at().items()? {
        let b = b.at();
        let name = b.need_str("name")?;
        let key = b.opt_str("run_name")?.unwrap_or_else(|| name.to_owned());
        let aggregate = match b.opt_str("run_type")?.as_deref() {
            Some("aggregate") => Some(b.opt_str("aggregate_name")?.unwrap_or_default()),
            _ => None,
        };
        let unit = b.opt_str("time_unit")?.unwrap_or_else(|| "ns".into());
        let mut values = Vec::new();
        for (k, x) in b.entries()? {
            let Some(n) = x.v.as_f64() else { continue };
            match k {
                "real_time" | "cpu_time" => values.push((k.to_owned(), unit.clone(), Direction::Lower, n)),
                "bytes_per_second" => values.push((k.to_owned(), "B/s".into(), Direction::Higher, n)),
                "items_per_second" => values.push((k.to_owned(), "items/s".into(), Direction::Higher, n)),
                _ if NOT_COUNTERS.contains(&k) => {}
                _ => values.push((k.to_owned(), String::new(), Direction::Lower, n)),
            }
        }
        let error = match b.opt_bool("error_occurred")? {
            Some(true) => Some(b.opt_str("error_message")?.unwrap_or_else(|| "error occurred".into())),
            _ => None,
        };
        rows.push(Row { key, aggregate, values, error, label: b.opt_str("label")? });
    }
    // Benchmarks in the order they first appear.
    let mut order: Vec<String> = Vec::new();
    for r in &rows {
        if !order.contains(&r.key) {
            order.push(r.key.clone());
        }
    }
    for key in order {
        let of: Vec<&Row> = rows.iter().filter(|r| r.key == key).collect();
        let iterations: Vec<&Row> = of.iter().copied().filter(|r| r.aggregate.is_none()).collect();
        let mut test = PerfTest { name: key.clone(), ..PerfTest::default() };
        if let Some(label) = of.iter().find_map(|r| r.label.clone()) {
            test.attributes.push(crate::model::Property { name: "label".into(), value: label });
        }
        if let Some(err) = of.iter().find_map(|r| r.error.clone()) {
            test.status = PerfStatus::Failed;
            test.errors.push(err);
        }
        if !iterations.is_empty() {
            let mut names: Vec<(String, String, Direction)> = Vec::new();
            for r in &iterations {
                for (n, u, d, _) in &r.values {
                    if !names.iter().any(|(x, _, _)| x == n) {
                        names.push((n.clone(), u.clone(), *d));
                    }
                }
            }
            for (n, u, d) in names {
                let samples: Vec<f64> = iterations
                    .iter()
                    .filter_map(|r| r.values.iter().find(|(x, _, _, _)| *x == n).map(|v| v.3))
                    .collect();
                test.metrics.push(Metric::from_samples(&n, &u, d, samples));
            }
        } else {
            // Only aggregates: the mean, or the only one there is.
            let chosen = of
                .iter()
                .find(|r| r.aggregate.as_deref() == Some("mean"))
                .or_else(|| of.iter().find(|r| r.aggregate.as_deref().is_some_and(|a| a.is_empty())))
                .or(of.first());
            if let Some(r) = chosen {
                for (n, u, d, value) in &r.values {
                    test.metrics.push(Metric::single(n, u, *d, *value));
                }
            }
            if of.len() > 1 {
                let stddev = of.iter().find(|r| r.aggregate.as_deref() == Some("stddev"));
                for m in &mut test.metrics {
                    m.stddev = stddev.and_then(|s| s.values.iter().find(|v| v.0 == m.name).map(|v| v.3));
                }
            }
        }
        report.tests.push(test);
    }
    Ok(report)
}
