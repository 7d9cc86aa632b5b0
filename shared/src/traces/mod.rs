//! Rendering-trace results: what a replayer says it rendered (a checksum
//! per trace and device, and the image it kept), what was expected (the
//! traces YAML of Mesa's CI), and the status that follows.
//!
//! Parsers are pure, one per format: [`piglit`] reads the `PIGLIT: {…}`
//! result lines of piglit's replayer, [`yaml`] the traces YAML (and writes
//! it back, for accepted references), [`assay`] Assay's own JSON. Images
//! are named by the paths the results give; the server finds them among
//! the request's files.

pub mod assay;
pub mod model;
pub mod piglit;
pub mod yaml;

use serde::{Deserialize, Serialize};

/// Where a trace's result stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TraceStatus {
    /// Rendered differently from the reference. Sorted first: it needs a look.
    Mismatch,
    /// The replay failed: no image was rendered.
    Failed,
    /// No reference for this trace on this device, though it ran before.
    MissingReference,
    /// First seen on this device, with no reference yet.
    New,
    /// Rendered as the reference.
    Match,
    /// Labelled `skip` in the traces YAML (slow, broken…).
    Skipped,
    /// Labelled `unsupported` in the traces YAML.
    Unsupported,
}

impl TraceStatus {
    pub const ALL: [TraceStatus; 7] = [
        TraceStatus::Mismatch,
        TraceStatus::Failed,
        TraceStatus::MissingReference,
        TraceStatus::New,
        TraceStatus::Match,
        TraceStatus::Skipped,
        TraceStatus::Unsupported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TraceStatus::Mismatch => "mismatch",
            TraceStatus::Failed => "failed",
            TraceStatus::MissingReference => "missing_reference",
            TraceStatus::New => "new",
            TraceStatus::Match => "match",
            TraceStatus::Skipped => "skipped",
            TraceStatus::Unsupported => "unsupported",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TraceStatus::Mismatch => "mismatch",
            TraceStatus::Failed => "failed",
            TraceStatus::MissingReference => "missing reference",
            TraceStatus::New => "new",
            TraceStatus::Match => "match",
            TraceStatus::Skipped => "skipped",
            TraceStatus::Unsupported => "unsupported",
        }
    }

    /// Whether it turns the job red.
    pub fn fails(self) -> bool {
        matches!(self, TraceStatus::Mismatch | TraceStatus::Failed)
    }
}

impl std::str::FromStr for TraceStatus {
    type Err = crate::status::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| crate::status::UnknownValue {
            kind: "trace status",
            value: s.to_owned(),
            expected: "mismatch, failed, missing_reference, new, match, skipped, unsupported",
        })
    }
}

impl TryFrom<String> for TraceStatus {
    type Error = crate::status::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// What the traces YAML says of a trace on a device, short of a checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TraceLabel {
    Skip,
    Unsupported,
}

/// One trace's result on one device, as a replayer reported it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedTrace {
    /// The trace's path in the traces database, e.g. `bgfx/01-cubes.rdc`.
    pub name: String,
    pub device: String,
    /// The reference checksum the replayer compared with.
    pub expected_checksum: Option<String>,
    /// The checksum of what it rendered (MD5 of the RGBA pixels).
    pub actual_checksum: Option<String>,
    /// The rendered image, as the result names it (a path).
    pub actual_image: Option<String>,
    /// The reference image, when the result names one.
    pub expected_image: Option<String>,
    /// The replay failed (piglit's `fail` with no image, `crash`, `timeout`).
    pub failed: bool,
    /// Labelled in the result itself (piglit's `skip`).
    pub label: Option<TraceLabel>,
    /// Why, when the result says.
    pub text: Option<String>,
}

/// A results file read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceReport {
    pub format: TraceFormat,
    pub traces: Vec<ParsedTrace>,
}

/// The formats of trace results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TraceFormat {
    /// piglit replayer output: `PIGLIT: {"images": [...], "result": ...}` lines.
    Piglit,
    /// Assay's JSON.
    Assay,
}

impl TraceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            TraceFormat::Piglit => "piglit",
            TraceFormat::Assay => "assay",
        }
    }
}

/// A parse error, naming the line when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TraceError {
    pub message: String,
    pub line: Option<u64>,
}

impl TraceError {
    pub fn new(message: impl Into<String>) -> Self {
        TraceError { message: message.into(), line: None }
    }
    pub fn at(line: u64, message: impl Into<String>) -> Self {
        TraceError { message: message.into(), line: Some(line) }
    }
}

/// Reads a results file: Assay's JSON when it is a JSON object, piglit's
/// output otherwise. `device` names the device for results that don't.
pub fn parse(bytes: &[u8], device: Option<&str>) -> Result<TraceReport, TraceError> {
    let text = std::str::from_utf8(bytes).map_err(|e| TraceError::new(format!("not UTF-8 text: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let traces = if text.trim_start().starts_with('{') {
        return Ok(TraceReport { format: TraceFormat::Assay, traces: assay::parse(text, device)? });
    } else {
        piglit::parse(text, device)?
    };
    Ok(TraceReport { format: TraceFormat::Piglit, traces })
}

/// Whether a checksum is one a replayer writes: hexadecimal digits.
pub fn valid_checksum(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The status of a result: `reference` is the checksum it is held to (an
/// accepted reference, else what the upload expected), `seen_before`
/// whether this trace ran on this device before.
pub fn status(
    trace: &ParsedTrace,
    reference: Option<&str>,
    label: Option<&TraceLabel>,
    seen_before: bool,
) -> TraceStatus {
    match label.or(trace.label.as_ref()) {
        Some(TraceLabel::Skip) => return TraceStatus::Skipped,
        Some(TraceLabel::Unsupported) => return TraceStatus::Unsupported,
        None => {}
    }
    let Some(actual) = trace.actual_checksum.as_deref().filter(|_| !trace.failed) else {
        return TraceStatus::Failed;
    };
    match reference {
        Some(r) if r.eq_ignore_ascii_case(actual) => TraceStatus::Match,
        Some(_) => TraceStatus::Mismatch,
        None if seen_before => TraceStatus::MissingReference,
        None => TraceStatus::New,
    }
}

#[cfg(test)]
mod tests;
