//! Assay's own trace results JSON, for replayers other than piglit:
//!
//! ```json
//! {"device": "gl-vmware-llvmpipe",
//!  "traces": [{"name": "bgfx/01-cubes.rdc", "expected_checksum": "…",
//!              "actual_checksum": "…", "actual_image": "01-cubes.png",
//!              "expected_image": "ref.png", "device": "…",
//!              "status": "skip" | "unsupported" | "error", "text": "…"}]}
//! ```
//!
//! Images are named as the request's files are; `actual_checksum` may be
//! left out when `actual_image` is sent (it is then the MD5 of its RGBA
//! pixels, as piglit computes it).

use super::{ParsedTrace, TraceError, TraceLabel, valid_checksum};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    #[serde(default)]
    device: Option<String>,
    traces: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    #[serde(default)]
    device: Option<String>,
    #[serde(default)]
    expected_checksum: Option<String>,
    #[serde(default)]
    actual_checksum: Option<String>,
    #[serde(default)]
    actual_image: Option<String>,
    #[serde(default)]
    expected_image: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

pub fn parse(text: &str, device: Option<&str>) -> Result<Vec<ParsedTrace>, TraceError> {
    let doc: Doc = serde_json::from_str(text)
        .map_err(|e| TraceError::at(e.line() as u64, format!("not Assay's trace results JSON: {e}")))?;
    let mut out = Vec::with_capacity(doc.traces.len());
    for (i, e) in doc.traces.into_iter().enumerate() {
        let name = e.name.trim().to_owned();
        if name.is_empty() {
            return Err(TraceError::new(format!("traces[{i}]: empty name")));
        }
        let dev = e.device.or_else(|| doc.device.clone()).or_else(|| device.map(str::to_owned)).ok_or_else(|| {
            TraceError::new(format!(
                "traces[{i}] ({name}): no device (give \"device\", at the top or per trace, or ?device=)"
            ))
        })?;
        for (what, sum) in [("expected_checksum", &e.expected_checksum), ("actual_checksum", &e.actual_checksum)] {
            if let Some(s) = sum
                && !valid_checksum(s)
            {
                return Err(TraceError::new(format!(
                    "traces[{i}] ({name}): {what} '{s}' is not a hexadecimal checksum"
                )));
            }
        }
        let (label, failed) = match e.status.as_deref() {
            None => (None, false),
            Some("skip" | "skipped") => (Some(TraceLabel::Skip), false),
            Some("unsupported") => (Some(TraceLabel::Unsupported), false),
            Some("error" | "crash" | "fail") if e.actual_image.is_none() && e.actual_checksum.is_none() => (None, true),
            Some(other) => {
                return Err(TraceError::new(format!(
                    "traces[{i}] ({name}): status '{other}' is not skip, unsupported or error (a match or mismatch follows from the checksums)"
                )));
            }
        };
        if label.is_none() && !failed && e.actual_image.is_none() && e.actual_checksum.is_none() {
            return Err(TraceError::new(format!(
                "traces[{i}] ({name}): neither actual_checksum nor actual_image (or a status of skip, unsupported or error)"
            )));
        }
        out.push(ParsedTrace {
            name,
            device: dev,
            expected_checksum: e.expected_checksum.map(|s| s.to_ascii_lowercase()),
            actual_checksum: e.actual_checksum.map(|s| s.to_ascii_lowercase()),
            actual_image: e.actual_image,
            expected_image: e.expected_image,
            failed,
            label,
            text: e.text,
        });
    }
    Ok(out)
}
