//! JMH's `-rf json`: an array of runs, each with the `benchmark`, its
//! `mode` (`thrpt` is operations per time, higher is better; `avgt`,
//! `sample` and `ss` are times, lower is better), `params`, and a
//! `primaryMetric` (score, error, confidence interval, unit, `rawData`: per
//! fork, per iteration) and `secondaryMetrics` of the same shape.
//!
//! A benchmark run with parameters is one test per parameter set, named
//! `benchmark (a=1, b=x)`, so that each is a series of its own.

use super::json::{At, properties};
use super::{Direction, Metric, PerfError, PerfFormat, PerfReport, PerfTest};
use serde_json::Value;

pub(crate) fn parse(v: &Value) -> Result<PerfReport, PerfError> {
    let root = At::root(v);
    let mut report = PerfReport::new(PerfFormat::Jmh);
    for b in root.items()? {
        let b = b.at();
        let params = properties(b.get("params"))?;
        let mut name = b.need_str("benchmark")?.to_owned();
        if !params.is_empty() {
            let list: Vec<String> = params.iter().map(|p| format!("{}={}", p.name, p.value)).collect();
            name = format!("{name} ({})", list.join(", "));
        }
        let mode = b.opt_str("mode")?.unwrap_or_default();
        let primary = b.need("primaryMetric")?;
        // The unit says which way is better (a time per operation is a
        // latency, whatever the mode); the mode only when the unit can't.
        let unit = primary.at().opt_str("scoreUnit")?.unwrap_or_default();
        let direction =
            unit_direction(&unit).unwrap_or(if mode == "thrpt" { Direction::Higher } else { Direction::Lower });
        let mut metrics = vec![metric("score", primary.at(), direction)?];
        if let Some(secondary) = b.get("secondaryMetrics") {
            for (k, m) in secondary.at().entries()? {
                let unit = m.at().opt_str("scoreUnit")?.unwrap_or_default();
                let d = unit_direction(&unit).unwrap_or(Direction::Lower);
                metrics.push(metric(k, m.at(), d)?);
            }
        }
        let mut attributes = params;
        attributes.push(crate::model::Property { name: "mode".into(), value: mode });
        report.tests.push(PerfTest { name, attributes, metrics, ..PerfTest::default() });
    }
    Ok(report)
}

/// `ops/s`, `MB/s` are rates (higher is better); `s/op`, `ns/op`, `B/op`
/// are costs per operation (lower is better).
fn unit_direction(unit: &str) -> Option<Direction> {
    if unit.ends_with("/op") || unit.ends_with("/ops") {
        Some(Direction::Lower)
    } else if unit.starts_with("ops/") || unit.ends_with("/s") || unit.ends_with("/ms") || unit.ends_with("/us") {
        Some(Direction::Higher)
    } else {
        None
    }
}

fn metric(name: &str, m: At<'_>, direction: Direction) -> Result<Metric, PerfError> {
    let mut samples = Vec::new();
    if let Some(raw) = m.get("rawData") {
        for fork in raw.at().items()? {
            samples.extend(fork.at().numbers()?);
        }
    }
    let mut out = Metric::from_samples(name, &m.opt_str("scoreUnit")?.unwrap_or_default(), direction, samples);
    out.value = m.need_num("score")?;
    if let Some(ci) = m.get("scoreConfidence") {
        let bounds = ci.at().numbers()?;
        if let [lo, hi] = bounds[..] {
            out.lower = Some(lo);
            out.upper = Some(hi);
        }
    }
    Ok(out)
}
