//! Runs of a project.

use super::extract::{ApiJson, ApiPath, ApiQuery, Reader, Writer};
use super::paths::{ProjectPath, RunPath};
use crate::error::ApiResult;
use crate::service::{read, write};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use shared::model::{CreateRun, ErrorBody, Page, RunDetail, RunQuery, RunSummary};

/// Creates a run, or returns the existing run of that name (200).
#[utoipa::path(post, path = "/projects/{project}/runs", tag = "runs", params(ProjectPath),
    request_body = CreateRun,
    security(("token" = [])),
    responses(
        (status = 201, description = "created", body = RunSummary),
        (status = 200, description = "a run of that name already existed", body = RunSummary),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the run exists with another revision or branch", body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiJson(req): ApiJson<CreateRun>,
) -> ApiResult<(StatusCode, Json<RunSummary>)> {
    let (project, row, created) = write::create_run(&s.db, &access, &path.project, &req).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(row.into_json(&project.slug))))
}

/// A project's runs, newest first, with their rolled-up counts.
#[utoipa::path(get, path = "/projects/{project}/runs", tag = "runs", params(ProjectPath, RunQuery),
    responses((status = 200, body = Page<RunSummary>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiQuery(q): ApiQuery<RunQuery>,
) -> ApiResult<Json<Page<RunSummary>>> {
    Ok(Json(read::runs(&s.db, &access, &path.project, &q).await?))
}

/// A run with its jobs and counts.
#[utoipa::path(get, path = "/projects/{project}/runs/{run}", tag = "runs", params(RunPath),
    responses((status = 200, body = RunDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<RunPath>,
) -> ApiResult<Json<RunDetail>> {
    Ok(Json(read::run(&s.db, &access, &path.project, &path.run).await?))
}
