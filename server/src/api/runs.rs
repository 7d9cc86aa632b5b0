//! Runs of a project.

use super::extract::{ApiJson, ApiQuery};
use crate::error::ApiResult;
use crate::service::access::Access;
use crate::service::{read, write};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use shared::model::{CreateRun, ErrorBody, Page, RunDetail, RunQuery, RunSummary};

/// Creates a run, or returns the existing run of that name (200).
#[utoipa::path(post, path = "/api/v1/projects/{project}/runs", tag = "runs",
    params(("project" = String, Path, description = "project slug")),
    request_body = CreateRun,
    security(("token" = [])),
    responses(
        (status = 201, description = "created", body = RunSummary),
        (status = 200, description = "a run of that name already existed", body = RunSummary),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the run exists with another revision or branch", body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(project): Path<String>,
    ApiJson(req): ApiJson<CreateRun>,
) -> ApiResult<(StatusCode, Json<RunSummary>)> {
    let access = Access::for_write(&s.db, &headers, None).await?;
    let (project, row, created) = write::create_run(&s.db, &access, &project, &req).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(row.into_json(&project.slug))))
}

/// A project's runs, newest first, with their rolled-up counts.
#[utoipa::path(get, path = "/api/v1/projects/{project}/runs", tag = "runs",
    params(("project" = String, Path, description = "project slug"), RunQuery),
    responses((status = 200, body = Page<RunSummary>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(project): Path<String>,
    ApiQuery(q): ApiQuery<RunQuery>,
) -> ApiResult<Json<Page<RunSummary>>> {
    let access = Access::of(&s.db, &headers).await?;
    Ok(Json(read::runs(&s.db, &access, &project, &q).await?))
}

/// A run with its jobs and counts.
#[utoipa::path(get, path = "/api/v1/projects/{project}/runs/{run}", tag = "runs",
    params(("project" = String, Path, description = "project slug"),
           ("run" = String, Path, description = "run name (URL-encoded) or numeric id")),
    responses((status = 200, body = RunDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((project, run)): Path<(String, String)>,
) -> ApiResult<Json<RunDetail>> {
    let access = Access::of(&s.db, &headers).await?;
    Ok(Json(read::run(&s.db, &access, &project, &run).await?))
}
