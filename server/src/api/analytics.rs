//! Test analytics: the comparison of two jobs or two runs, flaky tests and
//! their rules, quarantined tests, failure clusters.

use super::extract::{ApiJson, ApiPath, ApiQuery, Reader, Writer};
use super::paths::{JobPath, ProjectPath, TestResultPath};
use crate::error::{ApiError, ApiResult};
use crate::service::analytics::{self, FlakyQuery, Sides};
use crate::service::{clusters, durations, quarantine};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::analytics::flaky::FlakyRules;
use shared::analytics::wire::{
    Cluster, ClusterDetail, ClusterList, FlakyTests, JobCluster, JobDurations, NameCluster, Quarantine, QuarantineList,
    QuarantineRequest, Quarantined, TestComparison, TestDurations,
};
use shared::model::ErrorBody;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct CompareTestsQuery {
    /// The base job's id (with `head`).
    pub base: Option<i64>,
    /// The head job's id.
    pub head: Option<i64>,
    /// The base run's id (with `head_run`): jobs are paired by key.
    pub base_run: Option<i64>,
    /// The head run's id.
    pub head_run: Option<i64>,
    /// Most tests listed per group (1 to 1000, default 100); counts are
    /// always complete.
    pub limit: Option<i64>,
}

/// Compares the tests of two jobs, or of two runs (jobs paired by key).
///
/// Groups: new failures (failed or errored in head, not in base), fixed
/// (failed in base, passed in head), still failing (with the run each has
/// been failing since), newly skipped, added, removed, and the largest
/// duration changes (at least 50 ms and 20% of the base). Each group is
/// counted in full and listed up to `limit`, with both results.
#[utoipa::path(get, path = "/compare/tests", tag = "test results",
    params(CompareTestsQuery),
    responses((status = 200, body = TestComparison), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn compare_tests(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiQuery(q): ApiQuery<CompareTestsQuery>,
) -> ApiResult<Json<TestComparison>> {
    Ok(Json(
        analytics::compare(&s.db, &access, Sides::from_params(q.base, q.head, q.base_run, q.head_run)?, q.limit)
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct FlakyTestsQuery {
    /// `flaky` (the default) or `all` (also tests that recovered).
    pub state: Option<String>,
    /// Only tests caught by this rule: `same_revision`, `retries`, `flips`.
    pub rule: Option<String>,
    /// Tests whose name, class, suite or owner holds this (any case).
    pub q: Option<String>,
    /// Only this job key.
    pub job: Option<String>,
    /// `last_flake` (the default), `rate`, `flakes`, `first_seen` or `name`.
    pub sort: Option<String>,
}

/// A project's flaky tests with the evidence that caught each: the rule
/// (passed and failed on the same revision; passed only after retries;
/// flipped at least `min_flips` times in the last `window` executions on
/// the watched branches), the failed share and trend of its recent
/// executions, its first and last flake with links, and when it recovered.
/// Kept up to date at ingest; jobs where most tests failed are left out.
#[utoipa::path(get, path = "/projects/{project}/flaky-tests", tag = "test results",
    params(ProjectPath, FlakyTestsQuery),
    responses((status = 200, body = FlakyTests), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn flaky_tests(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiQuery(q): ApiQuery<FlakyTestsQuery>,
) -> ApiResult<Json<FlakyTests>> {
    Ok(Json(
        analytics::flaky_tests(
            &s.db,
            &access,
            &path.project,
            &FlakyQuery::from_params(q.state.as_deref(), q.rule, q.q, q.job, q.sort)?,
        )
        .await?,
    ))
}

/// The project's flaky-test rules.
#[utoipa::path(get, path = "/projects/{project}/flaky-rules", tag = "test results",
    params(ProjectPath),
    responses((status = 200, body = FlakyRules), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn flaky_rules(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
) -> ApiResult<Json<FlakyRules>> {
    Ok(Json(analytics::flaky_tests(&s.db, &access, &path.project, &FlakyQuery::default()).await?.rules))
}

/// Sets the project's flaky-test rules (project admins); they apply to the
/// results stored from then on.
#[utoipa::path(put, path = "/projects/{project}/flaky-rules", tag = "test results",
    params(ProjectPath),
    request_body = FlakyRules,
    security(("token" = [])),
    responses((status = 200, body = FlakyRules), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_flaky_rules(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiJson(body): ApiJson<FlakyRules>,
) -> ApiResult<Json<FlakyRules>> {
    Ok(Json(analytics::set_flaky_rules(&s.db, &access, &path.project, body).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct QuarantineQuery {
    /// `active` (the default: those in force) or `all` (also the lifted
    /// and expired ones).
    pub state: Option<String>,
}

/// The project's quarantined tests, for CI to skip or ignore: each with
/// `test` (`classname.name`, as JUnit, Gradle and Surefire filters take
/// it), reason, who and since when, expiry, the failures it kept out of
/// the verdict, and its clean streak (`suggest_lift` once it has been
/// clean for the flaky rules' `recovery_runs`).
#[utoipa::path(get, path = "/projects/{project}/quarantine", tag = "test results",
    params(ProjectPath, QuarantineQuery),
    responses((status = 200, body = QuarantineList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn quarantine_list(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiQuery(q): ApiQuery<QuarantineQuery>,
) -> ApiResult<Json<QuarantineList>> {
    let all = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("active") => false,
        Some("all") => true,
        Some(o) => return Err(ApiError::BadRequest(format!("state: '{o}' is not active or all"))),
    };
    Ok(Json(quarantine::list(&s.db, &access, &path.project, all).await?))
}

/// Quarantines a test (project members): its failures keep being stored
/// and shown, as "failed (quarantined)", but no longer turn a job or run
/// red. Its failures in the project's jobs of the last 30 days are
/// re-scored the same way. 404 when the test has no result in that time,
/// 409 when it is already quarantined.
#[utoipa::path(post, path = "/projects/{project}/quarantine", tag = "test results",
    params(ProjectPath),
    request_body = QuarantineRequest,
    security(("token" = [])),
    responses((status = 201, body = Quarantined), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn quarantine(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiJson(body): ApiJson<QuarantineRequest>,
) -> ApiResult<(StatusCode, Json<Quarantined>)> {
    Ok((StatusCode::CREATED, Json(quarantine::quarantine(&s.db, &access, &path.project, body).await?)))
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct QuarantinePath {
    /// The project's slug.
    pub project: String,
    /// The quarantine's id.
    pub id: i64,
}

/// Lifts a quarantine (project members): the test's failures stored from
/// now on count again; jobs already scored keep their verdict. 409 when
/// it was already lifted or has expired.
#[utoipa::path(delete, path = "/projects/{project}/quarantine/{id}", tag = "test results",
    params(QuarantinePath),
    security(("token" = [])),
    responses((status = 200, body = Quarantine), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn lift_quarantine(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<QuarantinePath>,
) -> ApiResult<Json<Quarantine>> {
    Ok(Json(quarantine::lift(&s.db, &access, &path.project, path.id).await?))
}

/// The project's failure clusters, most recently seen first (up to 500):
/// failures grouped by a normalised signature of their type, summary and
/// top stack frames (numbers, hex ids, UUIDs, temporary paths, timestamps
/// and quoted values masked), each with the tests and jobs it appeared
/// in and since which run.
#[utoipa::path(get, path = "/projects/{project}/failure-clusters", tag = "test results",
    params(ProjectPath),
    responses((status = 200, body = ClusterList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn clusters(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
) -> ApiResult<Json<ClusterList>> {
    Ok(Json(clusters::list(&s.db, &access, &path.project).await?))
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ClusterPath {
    /// The project's slug.
    pub project: String,
    /// The cluster's id.
    pub id: i64,
}

/// One failure cluster with the tests it appeared in (each with its last
/// such failure) and its jobs, newest first, up to 500 of each.
#[utoipa::path(get, path = "/projects/{project}/failure-clusters/{id}", tag = "test results",
    params(ClusterPath),
    responses((status = 200, body = ClusterDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn cluster(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ClusterPath>,
) -> ApiResult<Json<ClusterDetail>> {
    Ok(Json(clusters::detail(&s.db, &access, &path.project, path.id).await?))
}

/// Names a failure cluster and attaches a link, such as a bug tracker URL
/// (project members; audited). Empty or absent values clear them; a named
/// cluster shows on every failure that matches it.
#[utoipa::path(put, path = "/projects/{project}/failure-clusters/{id}", tag = "test results",
    params(ClusterPath),
    request_body = NameCluster,
    security(("token" = [])),
    responses((status = 200, body = Cluster), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn name_cluster(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<ClusterPath>,
    ApiJson(body): ApiJson<NameCluster>,
) -> ApiResult<Json<Cluster>> {
    Ok(Json(clusters::name(&s.db, &access, &path.project, path.id, body).await?))
}

/// A job's failed and errored tests grouped by failure cluster, the
/// clusters holding most of them first.
#[utoipa::path(get, path = "/projects/{project}/runs/{run}/jobs/{job}/failure-clusters", tag = "test results",
    params(JobPath),
    responses((status = 200, body = Vec<JobCluster>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn job_clusters(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<JobPath>,
) -> ApiResult<Json<Vec<JobCluster>>> {
    Ok(Json(clusters::for_job(&s.db, &access, &path.project, &path.run, &path.job).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct DurationsQuery {
    /// Jobs per window (2 to 20, default 5).
    pub window: Option<i64>,
}

/// A job's slowest tests, and the tests of its job key that got slower:
/// each test's median duration over this job and the ones before it of
/// the same key on the branch (`window` jobs) against the `window` jobs
/// before those; slower means by at least 50 ms and 20%. A test counts in
/// a window when it ran in at least half of its jobs.
#[utoipa::path(get, path = "/projects/{project}/runs/{run}/jobs/{job}/durations", tag = "test results",
    params(JobPath, DurationsQuery),
    responses((status = 200, body = JobDurations), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn job_durations(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<JobPath>,
    ApiQuery(q): ApiQuery<DurationsQuery>,
) -> ApiResult<Json<JobDurations>> {
    Ok(Json(durations::job(&s.db, &access, &path.project, &path.run, &path.job, q.window).await?))
}

/// A test's durations over its last 200 results on the branch of this
/// result's run, oldest first (what its duration chart draws).
#[utoipa::path(get, path = "/projects/{project}/runs/{run}/jobs/{job}/test-results/{id}/durations", tag = "test results",
    params(TestResultPath),
    responses((status = 200, body = TestDurations), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn test_durations(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<TestResultPath>,
) -> ApiResult<Json<TestDurations>> {
    Ok(Json(durations::test(&s.db, &access, &path.project, &path.run, &path.job, path.id).await?))
}
