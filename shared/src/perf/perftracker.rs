//! A PerfTracker job, as `perftrackerlib`'s `ptSuite.toJson()` writes it
//! and its `upload()` posts it: job title, suite and product names and
//! versions, a regression tag, environment nodes, links, and tests with a
//! tag, group, category, scores (the samples), deviations, loops, a unit
//! (`metrics`), `less_better`, status, errors, warnings, attributes and
//! links. The client leaves out every member that is false, zero or empty,
//! so `less_better` is absent when higher is better.

use super::assay::links;
use super::json::{At, properties, scalar_text};
use super::{Direction, Metric, PerfError, PerfFormat, PerfReport, PerfStatus, PerfTest, mean};
use crate::model::Property;
use serde_json::Value;

pub(crate) fn parse(v: &Value) -> Result<PerfReport, PerfError> {
    let root = At::root(v);
    let mut report = PerfReport::new(PerfFormat::Perftracker);
    report.job.title = root.opt_str("job_title")?;
    report.job.suite = root.opt_str("suite_name")?;
    report.job.suite_version = text(root, "suite_ver")?;
    report.job.product = root.opt_str("product_name")?;
    report.job.product_version = text(root, "product_ver")?;
    // PerfTracker's server reads `regression_tag` (the client's
    // `--pt-regression-tag`); `regression_name` is the older spelling.
    let tag = root.opt_str("regression_tag")?.filter(|t| !t.trim().is_empty());
    report.job.regression = match tag {
        Some(t) => Some(t),
        None => root.opt_str("regression_name")?,
    };
    report.job.uuid = root.opt_str("uuid")?.map(|u| u.trim().to_ascii_lowercase());
    report.job.append = truthy(root.get("append").map(|f| f.v));
    // The machine is the first environment node (the host the suite ran on).
    if let Some(first) = root.get("env_nodes").and_then(|n| n.v.as_array()?.first()) {
        let at = At::root(first);
        report.job.machine = at.opt_str("name")?.filter(|h| !h.is_empty()).or(at.opt_str("hostname")?);
    }
    report.job.links = links(root)?;
    for key in ["cmdline", "begin", "end", "project_name"] {
        if let Some(value) = text(root, key)? {
            report.job.properties.push(Property { name: key.to_owned(), value });
        }
    }
    if let Some(nodes) = root.get("env_nodes") {
        for node in nodes.at().items()? {
            env_node(node.at(), "", &mut report.job.properties)?;
        }
    }
    for t in root.need("tests")?.at().items()? {
        let t = t.at();
        let status = match t.opt_str("status")?.as_deref() {
            None | Some("SUCCESS") => PerfStatus::Passed,
            Some("FAILED") => PerfStatus::Failed,
            Some("SKIPPED" | "NOTTESTED" | "INPROGRESS") => PerfStatus::Skipped,
            Some(other) => {
                return Err(t.err(format!(
                    "status '{other}' is not one of perftrackerlib's (NOTTESTED, SKIPPED, INPROGRESS, SUCCESS, FAILED)"
                )));
            }
        };
        let scores = t.opt_numbers("scores")?;
        let deviations = t.opt_numbers("deviations")?;
        let direction = Direction::lower_is_better(t.opt_bool("less_better")?.unwrap_or(false));
        let mut attributes = properties(t.get("attribs"))?;
        for key in ["loops", "binary", "cmdline", "description", "duration_sec"] {
            if let Some(value) = text(t, key)? {
                attributes.push(Property { name: key.to_owned(), value });
            }
        }
        // `errors` and `warnings` are a count or a list of messages.
        let errors = match t.get("errors") {
            None => Vec::new(),
            Some(e) if e.v.is_array() => e.at().items()?.iter().map(|m| scalar_text(m.v)).collect(),
            Some(e) => {
                let n = e.at().num()? as i64;
                (0..n.max(0)).map(|_| "error".to_owned()).take(1000).collect()
            }
        };
        let warnings = match t.get("warnings") {
            None => 0,
            Some(w) if w.v.is_array() => w.v.as_array().map_or(0, |a| a.len() as i64),
            Some(w) => w.at().num()? as i64,
        };
        let unit = t.opt_str("metrics")?.unwrap_or_else(|| "loops/sec".to_owned());
        let metrics = if scores.is_empty() {
            Vec::new()
        } else {
            vec![Metric {
                name: "score".into(),
                unit,
                direction,
                value: mean(&scores).unwrap_or(0.0),
                deviations,
                samples: scores,
                stddev: None,
                lower: None,
                upper: None,
            }]
        };
        report.tests.push(PerfTest {
            name: t.need_str("tag")?.to_owned(),
            group: t.opt_str("group")?,
            category: t.opt_str("category")?,
            status,
            attributes,
            links: links(t)?,
            errors,
            warnings,
            metrics,
        });
    }
    Ok(report)
}

/// PerfTracker's booleans: `true`, or "True", "true", "Yes", "yes", "y", 1.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.as_str(), "True" | "true" | "Yes" | "yes" | "y" | "1"),
        Some(Value::Number(n)) => n.as_f64() == Some(1.0),
        _ => false,
    }
}

/// A member as text whatever its JSON type.
fn text(at: At<'_>, key: &str) -> Result<Option<String>, PerfError> {
    Ok(at.get(key).map(|f| scalar_text(f.v)))
}

/// An environment node and its children, flattened into properties named
/// by their path (`env.host1.cpus`).
fn env_node(at: At<'_>, prefix: &str, out: &mut Vec<Property>) -> Result<(), PerfError> {
    let name = at.opt_str("name")?.unwrap_or_else(|| "node".into());
    let path = if prefix.is_empty() { format!("env.{name}") } else { format!("{prefix}.{name}") };
    for (k, v) in at.entries()? {
        match k {
            "name" | "uuid" => {}
            "children" => {
                for child in v.at().items()? {
                    env_node(child.at(), &path, out)?;
                }
            }
            _ if v.v.is_object() || v.v.is_array() => {
                out.push(Property { name: format!("{path}.{k}"), value: v.v.to_string() })
            }
            _ => out.push(Property { name: format!("{path}.{k}"), value: scalar_text(v.v) }),
        }
    }
    Ok(())
}
