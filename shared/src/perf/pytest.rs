//! pytest-benchmark's `--benchmark-json`: `machine_info`, `commit_info`
//! and `benchmarks`, each with `fullname`, `group`, `params` and `stats`
//! (min, max, mean, stddev, median, rounds, `data`: every round's time, in
//! seconds, when the run was saved with `--benchmark-save-data`).
//!
//! Entries of `data` that are not numbers (some tools trim the list with a
//! note) are left out, with a warning.

use super::json::{At, properties, scalar_text};
use super::{Direction, Metric, PerfError, PerfFormat, PerfReport, PerfTest};
use crate::model::Property;
use serde_json::Value;

pub(crate) fn parse(v: &Value) -> Result<PerfReport, PerfError> {
    let root = At::root(v);
    let mut report = PerfReport::new(PerfFormat::PytestBenchmark);
    for (section, prefix) in [("machine_info", "machine"), ("commit_info", "commit")] {
        for p in properties(root.get(section))? {
            if !p.value.starts_with('{') && !p.value.starts_with('[') {
                report.job.properties.push(Property { name: format!("{prefix}.{}", p.name), value: p.value });
            }
        }
    }
    let mut skipped = 0usize;
    for b in root.need("benchmarks")?.at().items()? {
        let b = b.at();
        let name = match b.opt_str("fullname")? {
            Some(n) => n,
            None => b.need_str("name")?.to_owned(),
        };
        let stats = b.need("stats")?;
        let s = stats.at();
        let mut samples = Vec::new();
        if let Some(data) = s.get("data") {
            for d in data.at().items()? {
                match d.v.as_f64() {
                    Some(x) => samples.push(x),
                    None => skipped += 1,
                }
            }
        }
        let mut metric = Metric::from_samples("time", "s", Direction::Lower, samples);
        metric.value = s.need_num("mean")?;
        metric.stddev = s.opt_num("stddev")?;
        let mut attributes = Vec::new();
        if let Some(params) = b.get("params")
            && let Some(o) = params.v.as_object()
        {
            for (k, x) in o {
                attributes.push(Property { name: format!("param.{k}"), value: scalar_text(x) });
            }
        }
        for p in properties(b.get("extra_info"))? {
            attributes.push(Property { name: format!("extra.{}", p.name), value: p.value });
        }
        let mut metrics = vec![metric];
        if let Some(ops) = s.opt_num("ops")? {
            metrics.push(Metric::single("ops", "ops/s", Direction::Higher, ops));
        }
        report.tests.push(PerfTest { name, group: b.opt_str("group")?, attributes, metrics, ..PerfTest::default() });
    }
    if skipped > 0 {
        report.warnings.push(format!("{skipped} entries of stats.data were not numbers and were left out"));
    }
    Ok(report)
}
