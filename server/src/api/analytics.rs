//! Test analytics: the comparison of two jobs or two runs, flaky tests and
//! their rules.

use super::extract::{ApiJson, ApiPath, ApiQuery, Reader, Writer};
use super::paths::ProjectPath;
use crate::error::ApiResult;
use crate::service::analytics::{self, FlakyQuery, Sides};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use shared::analytics::flaky::FlakyRules;
use shared::analytics::wire::{FlakyTests, TestComparison};
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
    /// Tests whose name, class or suite holds this (any case).
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
