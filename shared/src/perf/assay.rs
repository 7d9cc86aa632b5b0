//! Assay's own performance JSON, for tools without a format of their own:
//!
//! ```json
//! {"format": "assay-perf/1",
//!  "job": {"title": "nightly", "regression": "v2.1-rc1"},
//!  "tests": [{"name": "parse", "group": "io", "category": "1 thread",
//!             "attributes": {"size": "1 MB"}, "links": {"log": "https://…"},
//!             "metrics": [{"name": "time", "unit": "ms", "direction": "lower",
//!                          "samples": [1.2, 1.3, 1.1]}]}]}
//! ```
//!
//! A metric gives `samples`, or a `value`, or both (then `value` is the
//! summary shown); `direction` is `lower` (the default) or `higher`.

use super::json::{At, properties};
use super::{Direction, Link, Metric, PerfError, PerfFormat, PerfReport, PerfStatus, PerfTest, mean};
use serde_json::Value;

pub(crate) fn parse(v: &Value) -> Result<PerfReport, PerfError> {
    let root = At::root(v);
    let version = root.need_str("format")?;
    if version != "assay-perf/1" {
        return Err(PerfError::at("format", format!("'{version}' is not a version Assay reads (assay-perf/1)")));
    }
    let mut report = PerfReport::new(PerfFormat::Assay);
    if let Some(job) = root.get("job") {
        let j = job.at();
        report.job.title = j.opt_str("title")?;
        report.job.suite = j.opt_str("suite")?;
        report.job.suite_version = j.opt_str("suite_version")?;
        report.job.product = j.opt_str("product")?;
        report.job.product_version = j.opt_str("product_version")?;
        report.job.regression = j.opt_str("regression")?;
        report.job.uuid = j.opt_str("uuid")?;
        report.job.properties = properties(j.get("properties"))?;
        report.job.links = links(j)?;
    }
    for t in root.need("tests")?.at().items()? {
        let t = t.at();
        let status = match t.opt_str("status")?.as_deref() {
            None | Some("passed") => PerfStatus::Passed,
            Some("failed") => PerfStatus::Failed,
            Some("skipped") => PerfStatus::Skipped,
            Some(other) => return Err(t.err(format!("status '{other}' is not passed, failed or skipped"))),
        };
        let mut metrics = Vec::new();
        for m in t.need("metrics")?.at().items()? {
            let m = m.at();
            let direction = match m.opt_str("direction")?.as_deref() {
                None | Some("lower") => Direction::Lower,
                Some("higher") => Direction::Higher,
                Some(other) => return Err(m.err(format!("direction '{other}' is not lower or higher"))),
            };
            let samples = m.opt_numbers("samples")?;
            let value = match (m.opt_num("value")?, mean(&samples)) {
                (Some(v), _) => v,
                (None, Some(v)) => v,
                (None, None) => return Err(m.err("a metric needs samples or a value")),
            };
            metrics.push(Metric {
                name: m.need_str("name")?.to_owned(),
                unit: m.opt_str("unit")?.unwrap_or_default(),
                direction,
                value,
                samples,
                deviations: m.opt_numbers("deviations")?,
                stddev: m.opt_num("stddev")?,
                lower: m.opt_num("lower")?,
                upper: m.opt_num("upper")?,
            });
        }
        report.tests.push(PerfTest {
            name: t.need_str("name")?.to_owned(),
            group: t.opt_str("group")?,
            category: t.opt_str("category")?,
            status,
            attributes: properties(t.get("attributes"))?,
            links: links(t)?,
            errors: Vec::new(),
            warnings: 0,
            metrics,
        });
    }
    Ok(report)
}

/// `links`: an object of name → URL.
pub(crate) fn links(at: At<'_>) -> Result<Vec<Link>, PerfError> {
    let Some(l) = at.get("links") else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for (name, url) in l.at().entries()? {
        out.push(Link { name: name.to_owned(), url: url.at().str()?.to_owned() });
    }
    Ok(out)
}
