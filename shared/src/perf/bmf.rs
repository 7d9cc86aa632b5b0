//! Bencher Metric Format: `{benchmark: {measure: {value, lower_value,
//! upper_value}}}`. Bencher's built-in measures are known by name
//! (`latency` in nanoseconds, `throughput` in operations per second, and
//! sizes and counts, lower is better); any other measure is taken as lower
//! is better, as Bencher does by default.

use super::json::At;
use super::{Direction, Metric, PerfError, PerfFormat, PerfReport, PerfTest};
use serde_json::Value;

pub(crate) fn parse(v: &Value) -> Result<PerfReport, PerfError> {
    let root = At::root(v);
    let mut report = PerfReport::new(PerfFormat::Bmf);
    for (name, measures) in root.entries()? {
        let mut metrics = Vec::new();
        for (measure, m) in measures.at().entries()? {
            let m = m.at();
            let (unit, direction) = match measure {
                "latency" => ("ns", Direction::Lower),
                "throughput" => ("ops/s", Direction::Higher),
                "file-size" => ("B", Direction::Lower),
                "build-time" => ("s", Direction::Lower),
                _ => ("", Direction::Lower),
            };
            let mut metric = Metric::single(measure, unit, direction, m.need_num("value")?);
            metric.lower = m.opt_num("lower_value")?;
            metric.upper = m.opt_num("upper_value")?;
            metrics.push(metric);
        }
        report.tests.push(PerfTest { name: name.to_owned(), metrics, ..PerfTest::default() });
    }
    Ok(report)
}
