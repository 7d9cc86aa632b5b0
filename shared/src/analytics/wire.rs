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
}
