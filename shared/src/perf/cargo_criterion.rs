//! `cargo criterion --message-format=json`: one JSON message a line. A
//! `benchmark-complete` message holds the benchmark's `id`, its samples
//! (`measured_values` over `iteration_count`, per sample) in `unit`, and
//! estimates (`typical`, `mean`, `median`, …) with 95% bounds. Other
//! messages (`group-complete`) and other lines (the tool's progress, when
//! mixed in) are skipped.

use super::json::At;
use super::{Direction, Metric, PerfError, PerfFormat, PerfReport, PerfTest};
use serde_json::Value;

pub(crate) fn parse(bytes: &[u8]) -> Result<PerfReport, PerfError> {
    let text = std::str::from_utf8(bytes).map_err(|_| PerfError::new("the file is not UTF-8 text"))?;
    let mut report = PerfReport::new(PerfFormat::CargoCriterion);
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if !line.starts_with('{') {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| PerfError {
            message: format!("not valid JSON: {e}"),
            path: None,
            line: Some(i as u64 + 1),
            column: Some(e.column() as u64),
        })?;
        let path = format!("line {}", i + 1);
        let at = At { v: &v, path: &path };
        if at.opt_str("reason")?.as_deref() != Some("benchmark-complete") {
            continue;
        }
        let unit = at.opt_str("unit")?.unwrap_or_else(|| "ns".into());
        let values = at.opt_numbers("measured_values")?;
        let counts = at.opt_numbers("iteration_count")?;
        if values.len() != counts.len() {
            return Err(at.err("measured_values and iteration_count differ in length"));
        }
        let samples: Vec<f64> = values.iter().zip(&counts).filter(|(_, n)| **n > 0.0).map(|(v, n)| v / n).collect();
        let mut metric = Metric::from_samples("time", &unit, Direction::Lower, samples);
        if let Some(typical) = at.get("typical").or_else(|| at.get("mean")) {
            let t = typical.at();
            metric.value = t.need_num("estimate")?;
            metric.lower = t.opt_num("lower_bound")?;
            metric.upper = t.opt_num("upper_bound")?;
        }
        report.tests.push(PerfTest {
            name: at.need_str("id")?.to_owned(),
            metrics: vec![metric],
            ..PerfTest::default()
        });
    }
    Ok(report)
}
