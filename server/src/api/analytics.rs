//! Test analytics reads: the comparison of two jobs or two runs.

use super::extract::{ApiQuery, Reader};
use crate::error::ApiResult;
use crate::service::analytics::{self, Sides};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use shared::analytics::wire::TestComparison;
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
