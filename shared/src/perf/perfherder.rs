//! Mozilla Perfherder's performance data (`PERFHERDER_DATA`, schema
//! `performance-artifact.json`): a `framework`, and `suites`, each with an
//! optional summary `value`, a `unit`, `lowerIsBetter` (true unless said
//! otherwise), `replicates`, `extraOptions`, `tags` and `subtests` of the
//! same shape. Accepted as a JSON document or as a log holding one or more
//! `PERFHERDER_DATA: {…}` lines.
//!
//! A suite is a test; its own value is the metric `value` and each subtest
//! a metric named after it. `extraOptions` are part of a series' identity
//! in Perfherder, so they are the test's category here.

use super::json::{At, document};
use super::{Direction, Metric, PerfError, PerfFormat, PerfReport, PerfTest};
use crate::model::Property;
use serde_json::Value;

const MARKER: &str = "PERFHERDER_DATA:";

pub(crate) fn parse(bytes: &[u8]) -> Result<PerfReport, PerfError> {
    let text = std::str::from_utf8(bytes).map_err(|_| PerfError::new("the file is not UTF-8 text"))?;
    let mut report = PerfReport::new(PerfFormat::Perfherder);
    if text.contains(MARKER) {
        for (i, line) in text.lines().enumerate() {
            let Some(at) = line.find(MARKER) else { continue };
            let json = line[at + MARKER.len()..].trim();
            let v: Value = serde_json::from_str(json).map_err(|e| PerfError {
                message: format!("the PERFHERDER_DATA on this line is not valid JSON: {e}"),
                path: None,
                line: Some(i as u64 + 1),
                column: Some((at + MARKER.len()) as u64 + e.column() as u64),
            })?;
            let path = format!("line {}", i + 1);
            one(At { v: &v, path: &path }, &mut report)?;
        }
    } else {
        let v = document(bytes)?;
        one(At::root(&v), &mut report)?;
    }
    Ok(report)
}

fn one(root: At<'_>, report: &mut PerfReport) -> Result<(), PerfError> {
    let framework = match root.get("framework") {
        Some(f) => f.at().opt_str("name")?,
        None => None,
    };
    if let Some(app) = root.get("application") {
        let app = app.at();
        if let Some(name) = app.opt_str("name")? {
            let version = app.opt_str("version")?.map(|v| format!(" {v}")).unwrap_or_default();
            report.job.properties.push(Property { name: "application".into(), value: format!("{name}{version}") });
        }
    }
    for s in root.need("suites")?.at().items()? {
        let s = s.at();
        let unit = s.opt_str("unit")?.unwrap_or_default();
        let lower = s.opt_bool("lowerIsBetter")?.unwrap_or(true);
        let mut metrics = Vec::new();
        if let Some(value) = s.opt_num("value")? {
            let mut m =
                Metric::from_samples("value", &unit, Direction::lower_is_better(lower), s.opt_numbers("replicates")?);
            m.value = value;
            metrics.push(m);
        }
        if let Some(subtests) = s.get("subtests") {
            for st in subtests.at().items()? {
                let st = st.at();
                let direction = Direction::lower_is_better(st.opt_bool("lowerIsBetter")?.unwrap_or(lower));
                let sub_unit = st.opt_str("unit")?.unwrap_or_else(|| unit.clone());
                let mut m =
                    Metric::from_samples(st.need_str("name")?, &sub_unit, direction, st.opt_numbers("replicates")?);
                m.value = st.need_num("value")?;
                metrics.push(m);
            }
        }
        let options: Vec<String> = match s.get("extraOptions") {
            Some(o) => o.at().items()?.iter().map(|x| x.at().str().map(str::to_owned)).collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let mut attributes = Vec::new();
        if let Some(tags) = s.get("tags") {
            let tags: Vec<String> =
                tags.at().items()?.iter().map(|x| x.at().str().map(str::to_owned)).collect::<Result<_, _>>()?;
            if !tags.is_empty() {
                attributes.push(Property { name: "tags".into(), value: tags.join(" ") });
            }
        }
        if let Some(false) = s.opt_bool("shouldAlert")? {
            attributes.push(Property { name: "shouldAlert".into(), value: "false".into() });
        }
        report.tests.push(PerfTest {
            name: s.need_str("name")?.to_owned(),
            group: framework.clone(),
            category: (!options.is_empty()).then(|| options.join(" ")),
            attributes,
            metrics,
            ..PerfTest::default()
        });
    }
    Ok(())
}
