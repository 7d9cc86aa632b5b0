//! Criterion's `estimates.json` (`target/criterion/<id>/new/`): mean,
//! median, standard deviation, median absolute deviation and slope, each a
//! point estimate with a 95% interval, in nanoseconds. The file does not
//! name its benchmark: its path does (`<id>/new/estimates.json`, as
//! `assay upload --perf target/criterion/...` sends it), else the name the
//! upload gives.

use super::json::At;
use super::{Direction, Metric, PerfError, PerfFormat, PerfReport, PerfTest};
use serde_json::Value;

/// A point estimate and its interval's bounds.
type Estimate = (f64, Option<f64>, Option<f64>);

pub(crate) fn parse(v: &Value, file_name: &str) -> Result<PerfReport, PerfError> {
    let root = At::root(v);
    let estimate = |key: &str| -> Result<Option<Estimate>, PerfError> {
        let Some(e) = root.get(key) else { return Ok(None) };
        let e = e.at();
        let point = e.need_num("point_estimate")?;
        let ci = e.get("confidence_interval");
        let (lo, hi) = match &ci {
            Some(c) => (c.at().opt_num("lower_bound")?, c.at().opt_num("upper_bound")?),
            None => (None, None),
        };
        Ok(Some((point, lo, hi)))
    };
    let (mean, lower, upper) = estimate("mean")?.ok_or_else(|| PerfError::at("mean", "missing"))?;
    let mut metric = Metric::single("time", "ns", Direction::Lower, mean);
    metric.lower = lower;
    metric.upper = upper;
    metric.stddev = estimate("std_dev")?.map(|e| e.0);
    let mut metrics = vec![metric];
    if let Some((median, lo, hi)) = estimate("median")? {
        let mut m = Metric::single("median", "ns", Direction::Lower, median);
        m.lower = lo;
        m.upper = hi;
        metrics.push(m);
    }
    let mut report = PerfReport::new(PerfFormat::Criterion);
    report.tests.push(PerfTest { name: benchmark_name(file_name), metrics, ..PerfTest::default() });
    Ok(report)
}

/// `fib_group/10/new/estimates.json` → `fib_group/10`; a bare file name is
/// its own stem.
pub fn benchmark_name(file_name: &str) -> String {
    let path = file_name.replace('\\', "/");
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let cut = parts.iter().rposition(|p| *p == "new" || *p == "base").unwrap_or(parts.len().saturating_sub(1));
    let mut name: Vec<&str> = parts[..cut].to_vec();
    if let Some(i) = name.iter().rposition(|p| *p == "criterion") {
        name.drain(..=i);
    }
    if name.is_empty() {
        return path.rsplit('/').next().unwrap_or("").trim_end_matches(".json").to_owned();
    }
    name.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_path() {
        assert_eq!(benchmark_name("fib 15/new/estimates.json"), "fib 15");
        assert_eq!(benchmark_name("target/criterion/fib_group/10/new/estimates.json"), "fib_group/10");
        assert_eq!(benchmark_name("estimates.json"), "estimates");
    }
}
