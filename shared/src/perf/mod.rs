//! Performance results: benchmark and performance-test reports from the
//! tools users run, read into one model.
//!
//! A report holds tests (a benchmark, a PerfTracker test, a Perfherder
//! suite); a test holds metrics; a metric has a unit, a direction (lower or
//! higher is better), every sample the tool kept and, when it gave them,
//! its own summary, deviation and interval. A *series* (Perfherder's
//! "signature") is the same test and metric on the same platform, machine
//! and labels across runs; the server keys it.
//!
//! One module per format, each pure: bytes in, a [`PerfReport`] or a
//! [`PerfError`] naming the place out. The format is detected from the
//! content unless the caller names it.

pub mod alerts;
mod assay;
mod bmf;
mod cargo_criterion;
pub mod changepoint;
pub mod compare;
mod criterion;
mod gbench;
mod hyperfine;
mod jmh;
mod json;
pub mod pack;
mod perfherder;
mod perftracker;
mod pytest;
pub mod regressions;
pub mod stats;

use crate::model::Property;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The formats Assay reads performance results from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum PerfFormat {
    /// Assay's own JSON (`{"format": "assay-perf/1", "tests": […]}`).
    Assay,
    /// A PerfTracker job, as `perftrackerlib`'s `ptSuite` writes it.
    Perftracker,
    /// Mozilla Perfherder's `PERFHERDER_DATA` (a JSON document, or a log
    /// holding `PERFHERDER_DATA: {…}` lines).
    Perfherder,
    /// Google Benchmark `--benchmark_format=json`.
    GoogleBenchmark,
    /// pytest-benchmark `--benchmark-json`.
    PytestBenchmark,
    /// Criterion's `estimates.json`.
    Criterion,
    /// `cargo criterion --message-format=json` messages, one a line.
    CargoCriterion,
    /// hyperfine `--export-json`.
    Hyperfine,
    /// JMH `-rf json`.
    Jmh,
    /// Bencher Metric Format.
    Bmf,
}

impl PerfFormat {
    pub const ALL: [PerfFormat; 10] = [
        Self::Assay,
        Self::Perftracker,
        Self::Perfherder,
        Self::GoogleBenchmark,
        Self::PytestBenchmark,
        Self::Criterion,
        Self::CargoCriterion,
        Self::Hyperfine,
        Self::Jmh,
        Self::Bmf,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assay => "assay",
            Self::Perftracker => "perftracker",
            Self::Perfherder => "perfherder",
            Self::GoogleBenchmark => "google-benchmark",
            Self::PytestBenchmark => "pytest-benchmark",
            Self::Criterion => "criterion",
            Self::CargoCriterion => "cargo-criterion",
            Self::Hyperfine => "hyperfine",
            Self::Jmh => "jmh",
            Self::Bmf => "bmf",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Assay => "Assay JSON",
            Self::Perftracker => "PerfTracker job",
            Self::Perfherder => "Perfherder data",
            Self::GoogleBenchmark => "Google Benchmark JSON",
            Self::PytestBenchmark => "pytest-benchmark JSON",
            Self::Criterion => "Criterion estimates",
            Self::CargoCriterion => "cargo-criterion messages",
            Self::Hyperfine => "hyperfine JSON",
            Self::Jmh => "JMH JSON",
            Self::Bmf => "Bencher Metric Format",
        }
    }
}

impl fmt::Display for PerfFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

const EXPECTED: &str = "auto, assay, perftracker, perfherder, google-benchmark, pytest-benchmark, criterion, \
    cargo-criterion, hyperfine, jmh, bmf";

impl FromStr for PerfFormat {
    type Err = crate::status::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|f| f.as_str().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            crate::status::UnknownValue { kind: "performance format", value: s.to_owned(), expected: EXPECTED }
        })
    }
}

impl TryFrom<String> for PerfFormat {
    type Error = crate::status::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// `auto` or a format, as given in `?format=` or `--perf-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PerfFormatChoice {
    #[default]
    Auto,
    Exactly(PerfFormat),
}

impl FromStr for PerfFormatChoice {
    type Err = crate::status::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().is_empty() || s.trim().eq_ignore_ascii_case("auto") {
            Ok(Self::Auto)
        } else {
            s.parse().map(Self::Exactly)
        }
    }
}

/// Whether smaller or larger values of a metric are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Times, latencies, sizes, instructions.
    #[default]
    Lower,
    /// Throughputs, scores, operations per second.
    Higher,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Lower => "lower",
            Direction::Higher => "higher",
        }
    }

    pub fn lower_is_better(lower: bool) -> Direction {
        if lower { Direction::Lower } else { Direction::Higher }
    }
}

impl FromStr for Direction {
    type Err = crate::status::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "lower" => Ok(Direction::Lower),
            "higher" => Ok(Direction::Higher),
            _ => Err(crate::status::UnknownValue { kind: "direction", value: s.to_owned(), expected: "lower, higher" }),
        }
    }
}

impl TryFrom<String> for Direction {
    type Error = crate::status::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// How a test ended, where the tool says (PerfTracker does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum PerfStatus {
    #[default]
    Passed,
    Failed,
    Skipped,
}

impl PerfStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PerfStatus::Passed => "passed",
            PerfStatus::Failed => "failed",
            PerfStatus::Skipped => "skipped",
        }
    }
}

impl TryFrom<String> for PerfStatus {
    type Error = crate::status::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        match s.as_str() {
            "passed" => Ok(PerfStatus::Passed),
            "failed" => Ok(PerfStatus::Failed),
            "skipped" => Ok(PerfStatus::Skipped),
            _ => {
                Err(crate::status::UnknownValue { kind: "perf status", value: s, expected: "passed, failed, skipped" })
            }
        }
    }
}

/// A named link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Link {
    pub name: String,
    pub url: String,
}

/// One measured quantity of a test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Metric {
    /// e.g. `real_time`, `time`, `score`, a Perfherder subtest.
    pub name: String,
    /// e.g. `ns`, `s`, `MB/s`, `ops/s`; empty when the tool gives none.
    pub unit: String,
    pub direction: Direction,
    /// The summary value: the tool's own (a mean, a score) or, when it
    /// gave only samples, their mean.
    pub value: f64,
    /// Every sample the tool kept, in order.
    #[serde(default)]
    pub samples: Vec<f64>,
    /// Per-sample deviations, where the tool reports them (PerfTracker).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deviations: Vec<f64>,
    /// The tool's standard deviation of the samples, if it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stddev: Option<f64>,
    /// An interval around `value` the tool gave (e.g. 95%), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
}

impl Metric {
    /// A metric of samples, summarised by their mean.
    pub fn from_samples(name: &str, unit: &str, direction: Direction, samples: Vec<f64>) -> Metric {
        Metric {
            name: name.to_owned(),
            unit: unit.to_owned(),
            direction,
            value: mean(&samples).unwrap_or(0.0),
            samples,
            deviations: Vec::new(),
            stddev: None,
            lower: None,
            upper: None,
        }
    }

    /// A metric of one summary value.
    pub fn single(name: &str, unit: &str, direction: Direction, value: f64) -> Metric {
        Metric {
            name: name.to_owned(),
            unit: unit.to_owned(),
            direction,
            value,
            samples: Vec::new(),
            deviations: Vec::new(),
            stddev: None,
            lower: None,
            upper: None,
        }
    }
}

/// One benchmark or performance test.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerfTest {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default)]
    pub status: PerfStatus,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Property>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    #[serde(default)]
    pub warnings: i64,
    pub metrics: Vec<Metric>,
}

/// What a report says about the job that made it, where the format has it
/// (PerfTracker jobs do).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerfJobInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suite: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suite_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_version: Option<String>,
    /// PerfTracker's regression tag: jobs carrying one are grouped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<String>,
    /// The job's own id (PerfTracker's uuid, lower case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// PerfTracker's `append`: add these tests to the job of that uuid
    /// rather than replace its results.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub append: bool,
    /// The machine the suite ran on, when the report says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
    /// Everything else worth showing: environment, machine, context.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A whole performance report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerfReport {
    pub format: PerfFormat,
    pub job: PerfJobInfo,
    pub tests: Vec<PerfTest>,
    pub warnings: Vec<String>,
}

impl PerfReport {
    fn new(format: PerfFormat) -> PerfReport {
        PerfReport { format, job: PerfJobInfo::default(), tests: Vec::new(), warnings: Vec::new() }
    }

    /// Metrics in the report.
    pub fn metric_count(&self) -> usize {
        self.tests.iter().map(|t| t.metrics.len()).sum()
    }
}

/// Why a report could not be read: what is wrong, and where (a JSON path
/// such as `benchmarks[3].real_time`, and the line and column when the
/// input is not even valid JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerfError {
    pub message: String,
    pub path: Option<String>,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

impl PerfError {
    pub fn new(message: impl Into<String>) -> PerfError {
        PerfError { message: message.into(), path: None, line: None, column: None }
    }

    pub fn at(path: &str, message: impl Into<String>) -> PerfError {
        PerfError { path: Some(path.to_owned()), ..PerfError::new(message) }
    }
}

impl fmt::Display for PerfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.line, self.column) {
            (Some(p), _, _) => write!(f, "{p}: {}", self.message),
            (None, Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for PerfError {}

/// Largest number of metrics one report may hold.
pub const MAX_METRICS: usize = 1_000_000;
/// Most samples one metric may hold.
pub const MAX_SAMPLES: usize = 1_000_000;

/// Reads a report; `name` is the file's name (Criterion's `estimates.json`
/// takes its benchmark's name from its path).
pub fn parse(bytes: &[u8], choice: PerfFormatChoice, name: &str) -> Result<PerfReport, PerfError> {
    let format = match choice {
        PerfFormatChoice::Exactly(f) => f,
        PerfFormatChoice::Auto => detect(bytes)?,
    };
    let mut report = match format {
        PerfFormat::Perfherder => perfherder::parse(bytes)?,
        PerfFormat::CargoCriterion => cargo_criterion::parse(bytes)?,
        other => {
            let value = json::document(bytes)?;
            match other {
                PerfFormat::Assay => assay::parse(&value)?,
                PerfFormat::Perftracker => perftracker::parse(&value)?,
                PerfFormat::GoogleBenchmark => gbench::parse(&value)?,
                PerfFormat::PytestBenchmark => pytest::parse(&value)?,
                PerfFormat::Criterion => criterion::parse(&value, name)?,
                PerfFormat::Hyperfine => hyperfine::parse(&value)?,
                PerfFormat::Jmh => jmh::parse(&value)?,
                PerfFormat::Bmf => bmf::parse(&value)?,
                PerfFormat::Perfherder | PerfFormat::CargoCriterion => unreachable!("handled above"),
            }
        }
    };
    check(&mut report)?;
    Ok(report)
}

/// Every value finite, names present, sizes bounded.
fn check(report: &mut PerfReport) -> Result<(), PerfError> {
    // A test that passed yet measured nothing has nothing to chart: left
    // out, and said so. Failed and skipped ones stay, for their status.
    let before = report.tests.len();
    report.tests.retain(|t| !t.metrics.is_empty() || t.status != PerfStatus::Passed);
    let empty = before - report.tests.len();
    if empty > 0 && !report.tests.is_empty() {
        report.warnings.push(format!("{empty} tests without any measurement were left out"));
    }
    if report.tests.is_empty() && before > 0 {
        return Err(PerfError::new(format!(
            "the {} report's {before} entries hold no measurement",
            report.format.label()
        )));
    }
    if report.tests.is_empty() {
        return Err(PerfError::new(format!("the {} report holds no test or benchmark", report.format.label())));
    }
    if report.metric_count() > MAX_METRICS {
        return Err(PerfError::new(format!("the report holds more than {MAX_METRICS} metrics")));
    }
    for (i, t) in report.tests.iter().enumerate() {
        if t.name.trim().is_empty() {
            return Err(PerfError::at(&format!("tests[{i}]"), "a test without a name"));
        }
        for m in &t.metrics {
            let at = || format!("{} / {}", t.name, m.name);
            if m.samples.len() > MAX_SAMPLES {
                return Err(PerfError::at(&at(), format!("more than {MAX_SAMPLES} samples")));
            }
            let values = std::iter::once(&m.value).chain(&m.samples).chain(&m.deviations);
            if values.chain(m.stddev.iter()).chain(m.lower.iter()).chain(m.upper.iter()).any(|v| !v.is_finite()) {
                return Err(PerfError::at(&at(), "a value that is not a finite number"));
            }
        }
    }
    Ok(())
}

/// The format a document's content shows.
pub fn detect(bytes: &[u8]) -> Result<PerfFormat, PerfError> {
    let text = std::str::from_utf8(bytes).map_err(|_| PerfError::new("the file is not UTF-8 text"))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(PerfError::new("the file is empty"));
    }
    if text.contains("PERFHERDER_DATA:") {
        return Ok(PerfFormat::Perfherder);
    }
    // JSON lines whose first object has a `reason` (cargo criterion).
    if let Some(first) = trimmed.lines().next()
        && first.trim_start().starts_with('{')
        && let Ok(v) = serde_json::from_str::<serde_json::Value>(first)
        && v.get("reason").is_some()
    {
        return Ok(PerfFormat::CargoCriterion);
    }
    let v = json::document(bytes)?;
    let has = |k: &str| v.get(k).is_some();
    let format = if v.get("format").and_then(|f| f.as_str()).is_some_and(|f| f.starts_with("assay-perf/")) {
        PerfFormat::Assay
    } else if has("suites") {
        PerfFormat::Perfherder
    } else if has("tests") && (has("job_title") || has("suite_name") || has("env_nodes") || has("uuid")) {
        PerfFormat::Perftracker
    } else if has("benchmarks") && (has("machine_info") || has("commit_info")) {
        PerfFormat::PytestBenchmark
    } else if has("benchmarks")
        && (has("context")
            || v["benchmarks"]
                .as_array()
                .is_some_and(|rows| rows.iter().any(|r| r.get("run_type").is_some() || r.get("real_time").is_some())))
    {
        PerfFormat::GoogleBenchmark
    } else if v.get("results").and_then(|r| r.as_array()).is_some_and(|r| r.iter().all(|x| x.get("command").is_some()))
    {
        PerfFormat::Hyperfine
    } else if v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(|x| x.get("primaryMetric").is_some())) {
        PerfFormat::Jmh
    } else if has("mean") && has("median") && v.get("mean").and_then(|m| m.get("point_estimate")).is_some() {
        PerfFormat::Criterion
    } else if v.as_object().is_some_and(|o| {
        !o.is_empty() && o.values().all(|m| m.as_object().is_some_and(|m| m.values().all(|x| x.get("value").is_some())))
    }) {
        PerfFormat::Bmf
    } else {
        return Err(PerfError::new(format!(
            "unrecognised performance report: not one of the formats Assay reads ({}); name it with ?format=",
            EXPECTED.trim_start_matches("auto, ")
        )));
    };
    Ok(format)
}

/// The arithmetic mean, `None` for no samples.
pub fn mean(samples: &[f64]) -> Option<f64> {
    (!samples.is_empty()).then(|| samples.iter().sum::<f64>() / samples.len() as f64)
}

/// What a perf upload held: its figures, kept at ingest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerfCounts {
    pub tests: i64,
    pub metrics: i64,
    /// Tests the tool marked failed.
    pub failed: i64,
}

/// One file of a perf upload and what it held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerfIngestedFile {
    pub upload_id: i64,
    pub filename: String,
    pub format: PerfFormat,
    pub tests: i64,
    pub metrics: i64,
    pub failed: i64,
    /// The regression tag the file named, if any (PerfTracker's).
    pub regression: Option<String>,
    /// The same file (same SHA-256) was already stored for this job.
    pub duplicate: bool,
    pub warnings: Vec<String>,
}

/// Answer to a perf upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerfIngestSummary {
    pub tests: i64,
    pub metrics: i64,
    pub failed: i64,
    pub files: Vec<PerfIngestedFile>,
}

/// A series: one test and metric on one platform, machine and labels,
/// across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesSummary {
    pub id: i64,
    pub project: String,
    pub test: String,
    pub group: String,
    pub category: String,
    pub metric: String,
    pub unit: String,
    pub direction: Direction,
    pub platform: String,
    pub machine: String,
    pub labels: Vec<String>,
    pub point_count: i64,
    pub last_value: Option<f64>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// One point of a series: a job's value for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesPoint {
    pub id: i64,
    pub job_id: i64,
    pub job: String,
    pub run_id: i64,
    pub run: String,
    pub revision: Option<String>,
    pub branch: Option<String>,
    /// The tool's summary value.
    pub value: f64,
    /// Samples behind it, and their mean, deviation and 95% interval.
    pub n: i64,
    pub mean: f64,
    pub stddev: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A series with its points, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesPoints {
    pub series: SeriesSummary,
    pub points: Vec<SeriesPoint>,
    /// More points matched than were returned.
    pub truncated: bool,
}
