//! Wire types: what the REST API and the server functions send and receive.
//! Storage rows live in the server and are converted into these.

use crate::report::ReportFormat;
use crate::{Counts, JobResult, JobState, RunStatus, TestStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

/// A project: the unit that owns runs, tokens and members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Project {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Number of runs in the project.
    pub run_count: i64,
    /// The newest run, if any.
    pub latest_run: Option<RunSummary>,
    /// Archived projects keep their data but take no new uploads.
    pub archived: bool,
}

/// One CI pipeline, build or push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RunSummary {
    pub id: i64,
    pub project: String,
    pub name: String,
    pub revision: Option<String>,
    pub branch: Option<String>,
    pub author: Option<String>,
    pub url: Option<String>,
    pub status: RunStatus,
    pub counts: Counts,
    pub job_count: i64,
    pub started_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A run with its jobs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RunDetail {
    pub run: RunSummary,
    pub jobs: Vec<JobSummary>,
    /// The newest earlier run on the same branch (or on no branch): what
    /// "compare with the previous run" compares with.
    #[serde(default)]
    pub previous_run_id: Option<i64>,
}

/// One CI job in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JobSummary {
    pub id: i64,
    pub run_id: i64,
    pub key: String,
    pub name: String,
    pub platform: Option<String>,
    pub machine: Option<String>,
    pub state: JobState,
    /// What the job reported (`unknown` if it did not).
    pub result: JobResult,
    /// The result to show: `result`, or derived from the tests when unknown.
    pub effective_result: JobResult,
    pub labels: Vec<String>,
    pub counts: Counts,
    /// Files uploaded to the job, of every kind.
    pub upload_count: i64,
    pub artifact_count: i64,
    pub artifact_bytes: i64,
    /// Performance tests and metrics uploaded to the job.
    pub perf_tests: i64,
    pub perf_metrics: i64,
    /// Rendering-trace results uploaded to the job, and those that fail it
    /// (mismatches and failed replays).
    #[serde(default)]
    pub trace_count: i64,
    #[serde(default)]
    pub trace_failed: i64,
    /// The regression tag a perf upload gave the job (PerfTracker's).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub regression: Option<String>,
    /// The newest job of the same key in an earlier run on the same
    /// branch, as found when the job's first test report was stored: what
    /// its failures are new or known against.
    #[serde(default)]
    pub previous_job_id: Option<i64>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A job with the run it belongs to, the files uploaded to it and its
/// artifacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JobDetail {
    pub run: RunSummary,
    pub job: JobSummary,
    pub uploads: Vec<UploadSummary>,
    pub artifacts: Vec<Artifact>,
    /// For a job with perf results: the same job in the latest earlier run
    /// on the same branch that has some (what "compare with the previous
    /// run" compares with).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous_perf_job: Option<i64>,
    /// For a job uploaded through PerfTracker's door: the PerfTracker
    /// artifacts linked to its uuid (logs the client uploaded, say).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub linked_artifacts: Vec<LinkedArtifact>,
    /// For a job submitted through Treeherder's door: its Treeherder fields,
    /// Job Info and logs.
    // (The browser never reads it: the job page gets it as HTML.)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[cfg_attr(target_arch = "wasm32", serde(skip_deserializing))]
    pub treeherder: Option<crate::treeherder::TreeherderView>,
    /// Its logs parsed for error lines (fetched by URL, uploaded as
    /// artifacts, or a submitted `text_log_summary`), with bug suggestions.
    // (The browser never reads it: the job page gets it as HTML.)
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    #[cfg_attr(target_arch = "wasm32", serde(skip_deserializing))]
    pub logs: Vec<crate::log_errors::JobLog>,
}

/// A file kept with its own id and linked to a job by it (PerfTracker's
/// artifacts), served from its own URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LinkedArtifact {
    pub uuid: String,
    pub filename: String,
    pub description: String,
    pub size_bytes: i64,
    pub mime: String,
    pub uploaded_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Where its content downloads from.
    pub href: String,
}

/// What kind of file an upload is. Every kind goes through the same
/// pipeline: dedupe by SHA-256 per job and kind, audit, roll-ups, one
/// transaction per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UploadKind {
    /// A test report (JUnit XML, TRX, NUnit, xUnit.net).
    TestReport,
    /// Any file kept with a job: a log, a screenshot, a binary.
    Artifact,
    /// Performance results (benchmark outputs, PerfTracker jobs, Perfherder data).
    PerfResult,
    /// Rendering-trace results (piglit replayer output, Assay's JSON) with their images.
    TraceResult,
}

impl UploadKind {
    pub const ALL: [UploadKind; 4] =
        [UploadKind::TestReport, UploadKind::Artifact, UploadKind::PerfResult, UploadKind::TraceResult];

    pub fn as_str(self) -> &'static str {
        match self {
            UploadKind::TestReport => "test_report",
            UploadKind::Artifact => "artifact",
            UploadKind::PerfResult => "perf_result",
            UploadKind::TraceResult => "trace_result",
        }
    }
}

impl std::fmt::Display for UploadKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for UploadKind {
    type Err = crate::status::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| crate::status::UnknownValue {
            kind: "upload kind",
            value: s.to_owned(),
            expected: "test_report, artifact, perf_result, trace_result",
        })
    }
}

impl TryFrom<String> for UploadKind {
    type Error = crate::status::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// One uploaded file of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UploadSummary {
    pub id: i64,
    pub kind: UploadKind,
    pub filename: String,
    /// For a test report, its format (`junit`, `trx`, `nunit`, `xunit`); for
    /// an artifact, its content type.
    pub format: String,
    pub sha256: String,
    pub size_bytes: i64,
    /// What a test report held (absent for other kinds).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub counts: Option<Counts>,
    /// What a perf upload held (absent for other kinds).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub perf: Option<crate::perf::PerfCounts>,
    /// Problems found in the file that did not stop it from being stored
    /// (e.g. a header that disagrees with the test cases it holds).
    pub warnings: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// A file kept with a job (a log, a screenshot, a core dump…), stored once
/// per content in the object store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Artifact {
    pub id: i64,
    pub project: String,
    pub run_id: i64,
    pub job_id: i64,
    pub upload_id: i64,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// Text that the log viewer shows, a page of lines at a time.
    pub text: bool,
    /// Lines of a text artifact.
    pub line_count: Option<i64>,
    /// The job's test results this artifact belongs to.
    pub tests: Vec<ArtifactTest>,
    /// After this the artifact is deleted.
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Where to download it.
    pub download_url: String,
}

/// A test result an artifact is linked to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ArtifactTest {
    pub result_id: i64,
    pub name: String,
}

/// Per-file options of an artifact upload, given in the multipart field
/// `meta` as a JSON object keyed by file name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArtifactOptions {
    /// The content type, when the part's own is missing or generic.
    pub content_type: Option<String>,
    /// Test results of the job to link it to: a test's name, `class.name`,
    /// `class::name`, or its full `suite::class::name`.
    #[serde(default)]
    pub tests: Vec<String>,
    /// When to delete it (RFC 3339, in the future).
    pub expires_at: Option<DateTime<Utc>>,
}

/// One file of an artifact upload, and what is stored for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UploadedArtifact {
    pub upload_id: i64,
    pub filename: String,
    /// The same file (same SHA-256) was already stored for this job;
    /// nothing new was stored and this is the artifact stored then.
    pub duplicate: bool,
    pub artifact: Artifact,
}

/// Answer to an artifact upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ArtifactUploadSummary {
    pub files: Vec<UploadedArtifact>,
}

/// A page of a text artifact's lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ArtifactLines {
    /// The number of the first line in `lines` (1-based).
    pub first_line: i64,
    pub lines: Vec<String>,
    /// Lines in the whole artifact.
    pub line_count: i64,
    /// Some line was longer than a page can hold, and was cut.
    pub cut: bool,
    /// The numbers of this page's lines that a parse of the log found to be
    /// error lines (highlighted by the viewer).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<i64>,
}

/// Lines of a text artifact matching a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ArtifactSearch {
    pub query: String,
    pub matches: Vec<LineMatch>,
    /// Where to go on searching (`from=`), when this answer stopped early.
    pub next_from: Option<i64>,
}

/// One matching line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LineMatch {
    pub line: i64,
    pub text: String,
}

/// One test result, as listed in a job's test table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TestResultRow {
    pub id: i64,
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub status: TestStatus,
    /// Passed only after failed attempts.
    pub flaky: bool,
    /// Attempts beyond the first.
    pub retries: i64,
    pub duration_s: Option<f64>,
    pub message: Option<String>,
    pub failure_type: Option<String>,
    /// What failed, in a few lines (the assertion and its operands; stack
    /// frames and runner noise dropped), computed at ingest for failed
    /// and flaky tests.
    pub summary: Option<String>,
    /// Failed and errored tests: the run on this branch and job key since
    /// which the test has been failing, and whether that is this run (a
    /// new failure) — as known when the result was stored.
    pub failing_since: Option<FailingSince>,
    /// The test is flaky in this job key now: the rule that caught it.
    #[serde(default)]
    pub flaky_test: Option<crate::analytics::flaky::Rule>,
    /// This failure was quarantined: it did not turn the job red.
    #[serde(default)]
    pub quarantined: bool,
    /// Failed and errored tests: the failure cluster this failure is in.
    #[serde(default)]
    pub cluster: Option<crate::analytics::wire::Cluster>,
}

/// Since when a failing test has been failing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FailingSince {
    /// True when the test did not fail in the previous run of this branch
    /// and job key (or there was none).
    pub new: bool,
    pub run_id: i64,
    pub run: String,
}

/// Everything stored about one test result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TestResultDetail {
    #[serde(flatten)]
    pub row: TestResultRow,
    pub details: Option<String>,
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    pub properties: Vec<Property>,
    pub file: Option<String>,
    pub line: Option<i64>,
    pub upload_id: i64,
    pub job_id: i64,
    pub run_id: i64,
}

/// A name/value pair attached to a test case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Property {
    pub name: String,
    pub value: String,
}

/// The same test in an earlier (or the same) run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TestHistoryEntry {
    pub result_id: i64,
    pub run_id: i64,
    pub run_name: String,
    pub revision: Option<String>,
    pub job_id: i64,
    pub job_key: String,
    pub job_name: String,
    pub status: TestStatus,
    pub flaky: bool,
    pub duration_s: Option<f64>,
    pub created_at: DateTime<Utc>,
}

/// A test result with the context a test page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TestPage {
    pub run: RunSummary,
    pub job: JobSummary,
    pub result: TestResultDetail,
    /// This test in the project's previous runs on the same branch, newest first.
    pub history: Vec<TestHistoryEntry>,
    /// The job's artifacts linked to this result.
    pub artifacts: Vec<Artifact>,
    /// The test's quarantine in force in the project, if any.
    #[serde(default)]
    pub quarantine: Option<crate::analytics::wire::Quarantine>,
    /// The viewer may quarantine the test or lift its quarantine.
    #[serde(default)]
    pub can_quarantine: bool,
}

/// One page of a longer list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Items matching the filter, on all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl<T> Page<T> {
    pub fn has_next(&self) -> bool {
        self.offset + (self.items.len() as i64) < self.total
    }
    pub fn has_prev(&self) -> bool {
        self.offset > 0
    }
}

/// Body of `POST /api/v1/projects/{project}/runs`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateRun {
    pub name: String,
    pub revision: Option<String>,
    pub branch: Option<String>,
    pub author: Option<String>,
    pub url: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
}

/// Body of `POST …/runs/{run}/jobs`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateJob {
    pub key: String,
    pub name: Option<String>,
    pub platform: Option<String>,
    pub machine: Option<String>,
    pub state: Option<JobState>,
    pub result: Option<JobResult>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub labels: Option<Vec<String>>,
}

/// Body of `PATCH …/jobs/{job}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateJob {
    pub state: Option<JobState>,
    pub result: Option<JobResult>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Answer to a test-result upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IngestSummary {
    pub total: i64,
    pub passed: i64,
    pub failed: i64,
    pub errors: i64,
    pub skipped: i64,
    pub flaky: i64,
    /// Failed and errored tests that are quarantined in the project: their
    /// failures do not turn the job red (they are also in `failed` or
    /// `errors`).
    #[serde(default)]
    pub quarantined: i64,
    pub files: Vec<IngestedFile>,
}

/// One file of an upload and what it held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IngestedFile {
    pub upload_id: i64,
    pub filename: String,
    pub format: ReportFormat,
    pub total: i64,
    pub passed: i64,
    pub failed: i64,
    pub errors: i64,
    pub skipped: i64,
    pub flaky: i64,
    /// Failed and errored tests that are quarantined (also in `failed` or
    /// `errors`).
    #[serde(default)]
    pub quarantined: i64,
    /// The same file (same SHA-256) was already stored for this job;
    /// nothing new was stored and these are its figures.
    pub duplicate: bool,
    pub warnings: Vec<String>,
}

impl IngestedFile {
    pub fn counts(&self) -> Counts {
        Counts {
            total: self.total,
            passed: self.passed,
            failed: self.failed,
            errors: self.errors,
            skipped: self.skipped,
            flaky: self.flaky,
            duration_s: 0.0,
            quarantined: self.quarantined,
        }
    }
}

impl IngestSummary {
    pub fn from_files(files: Vec<IngestedFile>) -> Self {
        let mut c = Counts::default();
        for f in &files {
            c.add(&f.counts());
        }
        IngestSummary {
            total: c.total,
            passed: c.passed,
            failed: c.failed,
            errors: c.errors,
            skipped: c.skipped,
            flaky: c.flaky,
            quarantined: c.quarantined,
            files,
        }
    }
}

/// Every error the API returns: a stable machine-readable code and a
/// sentence for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// Stable code, e.g. `not_found`, `parse_error`, `payload_too_large`.
    pub error: String,
    /// What went wrong, naming the field, file, line or column at fault.
    pub detail: String,
    /// For report parse errors: the file, line and column.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub column: Option<u64>,
}

/// Query of a job's test results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema, IntoParams))]
pub struct TestResultQuery {
    /// Only results with this status (`failed`, `error`, `skipped`, `passed`)
    /// or `flaky`.
    pub status: Option<String>,
    /// Case-insensitive substring of the suite, class or test name.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `status` (failed first, the default), `name`, `duration` (slowest first).
    pub order: Option<String>,
}

/// Query of a project's runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema, IntoParams))]
pub struct RunQuery {
    pub branch: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Largest page the API hands out.
pub const MAX_PAGE: i64 = 500;
/// Page size when none is asked for.
pub const DEFAULT_PAGE: i64 = 50;

/// Clamps a requested page to `[1, MAX_PAGE]` and a non-negative offset.
pub fn page_bounds(limit: Option<i64>, offset: Option<i64>) -> (i64, i64) {
    (limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE), offset.unwrap_or(0).max(0))
}
