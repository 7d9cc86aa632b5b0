//! Wire types of a test comparison (`GET /api/v1/compare/tests`).

use crate::TestStatus;
use crate::model::FailingSince;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Two jobs' or two runs' tests compared: each group counted in full and
/// listed up to `limit` (by job key and name; durations by the size of
/// the change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TestComparison {
    pub project: String,
    pub base: ComparedSide,
    pub head: ComparedSide,
    pub counts: DiffCounts,
    /// Failed or errored in head, not in base (passed, skipped or absent).
    pub new_failures: Vec<DiffTest>,
    /// Failed or errored in base, passed in head.
    pub fixed: Vec<DiffTest>,
    /// Failed or errored in both; `failing_since` says since which run.
    pub still_failing: Vec<DiffTest>,
    /// Skipped in head, run in base.
    pub newly_skipped: Vec<DiffTest>,
    pub added: Vec<DiffTest>,
    pub removed: Vec<DiffTest>,
    /// The largest duration changes first (at least 50 ms and 20%).
    pub durations: Vec<DiffTest>,
    /// Most tests listed per group.
    pub limit: i64,
}

/// One side: a run, and the jobs of it compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ComparedSide {
    pub run_id: i64,
    pub run: String,
    pub revision: Option<String>,
    pub branch: Option<String>,
    pub created_at: DateTime<Utc>,
    pub jobs: Vec<ComparedJob>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ComparedJob {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub platform: Option<String>,
}

/// How many tests are in each group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DiffCounts {
    /// Tests present on both sides.
    pub compared: i64,
    pub new_failures: i64,
    pub fixed: i64,
    pub still_failing: i64,
    pub newly_skipped: i64,
    pub added: i64,
    pub removed: i64,
    pub slower: i64,
    pub faster: i64,
}

/// A test in a group, with its result on each side where it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DiffTest {
    /// The job key it was compared under (run-vs-run comparisons pair jobs
    /// by key); `None` comparing two jobs.
    pub job_key: Option<String>,
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub base: Option<DiffResult>,
    pub head: Option<DiffResult>,
    /// Head's duration minus base's, in seconds.
    pub duration_change_s: Option<f64>,
    /// For a test failing in head: since which run.
    pub failing_since: Option<FailingSince>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DiffResult {
    pub run_id: i64,
    pub job_id: i64,
    pub result_id: i64,
    pub status: TestStatus,
    pub duration_s: Option<f64>,
    pub summary: Option<String>,
}

/// A project's flaky tests, and the rules that caught them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FlakyTests {
    pub project: String,
    pub rules: crate::analytics::flaky::FlakyRules,
    pub tests: Vec<FlakyTest>,
}

/// A test that is (or, with `flaky: false`, was) flaky, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FlakyTest {
    pub job_key: String,
    pub suite: String,
    pub classname: String,
    pub name: String,
    /// The rule that caught it last.
    pub rule: crate::analytics::flaky::Rule,
    pub flaky: bool,
    /// Flakes seen (executions that gave evidence).
    pub flakes: i64,
    /// Failed share of its recent executions on the watched branches.
    pub rate: f64,
    /// Those executions, oldest first: `P` passed, `F` failed.
    pub trend: String,
    pub first_flake_at: DateTime<Utc>,
    pub last_flake_at: DateTime<Utc>,
    /// The last flake: its run, job and result.
    pub last_run_id: i64,
    pub last_run: String,
    pub last_job_id: i64,
    pub last_result_id: i64,
    /// For a same-revision flake, the run where it went the other way.
    pub other_run_id: Option<i64>,
    pub other_run: Option<String>,
    /// When it stopped being flaky (that many clean executions in a row).
    pub recovered_at: Option<DateTime<Utc>>,
    /// Who owns the test: the `owner` (or `owners`, `team`, `maintainer`)
    /// property of its last flaky result, as the report gave it.
    #[serde(default)]
    pub owner: Option<String>,
}

/// The property names read as a test's owner, in order of preference.
pub const OWNER_PROPERTIES: [&str; 4] = ["owner", "owners", "team", "maintainer"];

/// A test's owner from its result's properties (see [`OWNER_PROPERTIES`]).
pub fn owner_of(properties: &[crate::model::Property]) -> Option<String> {
    OWNER_PROPERTIES.iter().find_map(|want| {
        properties
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(want))
            .map(|p| p.value.trim().to_owned())
            .filter(|v| !v.is_empty())
    })
}

/// A test's id as CI filters take it: `classname.name`, or the name alone
/// when it has no class (what `GET …/quarantine` and
/// `assay quarantine list` print).
pub fn test_id(classname: &str, name: &str) -> String {
    if classname.is_empty() { name.to_owned() } else { format!("{classname}.{name}") }
}

/// Where a quarantine stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum QuarantineState {
    /// In force: the test's failures do not turn jobs red.
    Active,
    /// Its expiry has passed.
    Expired,
    /// Lifted by hand.
    Lifted,
}

impl QuarantineState {
    pub fn as_str(self) -> &'static str {
        match self {
            QuarantineState::Active => "active",
            QuarantineState::Expired => "expired",
            QuarantineState::Lifted => "lifted",
        }
    }
}

/// A quarantined test (or one that was).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Quarantine {
    pub id: i64,
    /// The test's id as CI filters take it (see [`test_id`]).
    pub test: String,
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub reason: String,
    pub state: QuarantineState,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was lifted by hand, or expired.
    pub lifted_at: Option<DateTime<Utc>>,
    pub lifted_by: Option<String>,
    /// Failures quarantined since (including the jobs re-scored when it
    /// was quarantined).
    pub failures: i64,
    /// Executions since its last failure.
    pub clean_runs: i64,
    pub last_failed_at: Option<DateTime<Utc>>,
    /// Active and clean for at least the project's recovery count (its
    /// flaky rules' `recovery_runs`): lifting it is suggested.
    pub suggest_lift: bool,
}

/// A project's quarantined tests, active first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QuarantineList {
    pub project: String,
    /// Clean executions after which lifting is suggested.
    pub recovery_runs: i64,
    pub tests: Vec<Quarantine>,
}

/// Quarantines a test of the project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QuarantineRequest {
    #[serde(default)]
    pub suite: String,
    #[serde(default)]
    pub classname: String,
    pub name: String,
    /// Why (required: it is shown wherever the test's failures are).
    pub reason: String,
    /// When the quarantine ends by itself (RFC 3339, in the future).
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A quarantine made, and the recent jobs it re-scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Quarantined {
    pub quarantine: Quarantine,
    /// Jobs of the last 30 days in which the test failed, now scored with
    /// that failure quarantined.
    pub rescored_jobs: i64,
}

/// A failure cluster: failures of one signature across the project's tests
/// and jobs (see `shared::analytics::cluster`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Cluster {
    pub id: i64,
    /// The masked signature: type, summary lines and top frames.
    pub pattern: String,
    /// The summary of its first failure.
    pub example: Option<String>,
    pub name: Option<String>,
    /// A link users attached (a bug tracker URL, say).
    pub link: Option<String>,
    pub named_by: Option<String>,
    pub named_at: Option<DateTime<Utc>>,
    pub failures: i64,
    /// Distinct tests it appeared in.
    pub tests: i64,
    /// Distinct jobs it appeared in.
    pub jobs: i64,
    pub first_run_id: i64,
    pub first_run: String,
    pub first_seen_at: DateTime<Utc>,
    pub last_run_id: i64,
    pub last_run: String,
    pub last_job_id: i64,
    pub last_seen_at: DateTime<Utc>,
}

/// A project's failure clusters, most recently seen first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ClusterList {
    pub project: String,
    pub clusters: Vec<Cluster>,
}

/// A test a cluster appeared in, with its last such failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ClusterTest {
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub failures: i64,
    pub last_result_id: i64,
    pub last_job_id: i64,
    pub last_run_id: i64,
    pub last_run: String,
    pub last_seen_at: DateTime<Utc>,
}

/// A job a cluster appeared in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ClusterJob {
    pub job_id: i64,
    pub job_key: String,
    pub job_name: String,
    pub run_id: i64,
    pub run: String,
    pub failures: i64,
    pub seen_at: DateTime<Utc>,
}

/// One cluster with its tests and jobs (most recent first, up to 500 each).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ClusterDetail {
    pub project: String,
    pub cluster: Cluster,
    pub tests: Vec<ClusterTest>,
    pub jobs: Vec<ClusterJob>,
    /// The viewer may name the cluster.
    pub can_name: bool,
}

/// Names a cluster and attaches a link (both optional: empty clears).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NameCluster {
    #[serde(default)]
    pub name: Option<String>,
    /// An http(s) URL.
    #[serde(default)]
    pub link: Option<String>,
}

/// A job's failures grouped by cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JobCluster {
    pub cluster: Cluster,
    /// The job's failed tests in it.
    pub tests: Vec<JobClusterTest>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JobClusterTest {
    pub result_id: i64,
    pub suite: String,
    pub classname: String,
    pub name: String,
}

/// One test of a job with its duration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DurationTest {
    /// Its result in this job.
    pub result_id: i64,
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub duration_s: f64,
    /// For tests that got slower: the median over the earlier window.
    pub before_s: Option<f64>,
}

/// A job's slowest tests, and the tests of its job key that got slower:
/// the median over this job and the `window - 1` before it of the same key
/// on the branch, against the `window` jobs before those.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JobDurations {
    pub project: String,
    pub run_id: i64,
    pub job_id: i64,
    pub job_key: String,
    pub window: i64,
    /// Jobs in the recent and the earlier window (fewer when the key has
    /// less history).
    pub recent_jobs: i64,
    pub before_jobs: i64,
    /// Slowest first, up to 25.
    pub slowest: Vec<DurationTest>,
    /// Largest increase first, up to 50; `duration_s` is the recent median.
    pub slower: Vec<DurationTest>,
}

/// A test's durations over its recent results on the branch, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TestDurations {
    pub project: String,
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub branch: Option<String>,
    /// This result.
    pub result_id: i64,
    pub points: Vec<crate::model::TestHistoryEntry>,
}
