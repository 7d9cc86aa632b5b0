//! Jobs of a run.

use super::extract::ApiJson;
use crate::error::ApiResult;
use crate::service::access::Access;
use crate::service::{read, write};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use shared::model::{CreateJob, ErrorBody, JobDetail, JobSummary, UpdateJob};

/// Creates a job in a run, or returns the existing job with that key (200).
#[utoipa::path(post, path = "/api/v1/projects/{project}/runs/{run}/jobs", tag = "jobs",
    params(("project" = String, Path, description = "project slug"),
           ("run" = String, Path, description = "run name or id")),
    request_body = CreateJob,
    security(("token" = [])),
    responses(
        (status = 201, description = "created", body = JobSummary),
        (status = 200, description = "a job with that key already existed", body = JobSummary),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the project is archived", body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((project, run)): Path<(String, String)>,
    ApiJson(req): ApiJson<CreateJob>,
) -> ApiResult<(StatusCode, Json<JobSummary>)> {
    let access = Access::for_write(&s.db, &headers, None).await?;
    let (row, created) = write::create_job(&s.db, &access, &project, (&run).into(), &req).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(row.into_json())))
}

/// Updates a job's state, result or times.
#[utoipa::path(patch, path = "/api/v1/projects/{project}/runs/{run}/jobs/{job}", tag = "jobs",
    params(("project" = String, Path, description = "project slug"),
           ("run" = String, Path, description = "run name or id"),
           ("job" = String, Path, description = "job key or id")),
    request_body = UpdateJob,
    security(("token" = [])),
    responses((status = 200, body = JobSummary), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the project is archived", body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((project, run, job)): Path<(String, String, String)>,
    ApiJson(req): ApiJson<UpdateJob>,
) -> ApiResult<Json<JobSummary>> {
    let access = Access::for_write(&s.db, &headers, None).await?;
    let row = write::update_job(&s.db, &access, &project, (&run).into(), (&job).into(), &req).await?;
    Ok(Json(row.into_json()))
}

/// A job with its run and uploaded report files.
#[utoipa::path(get, path = "/api/v1/projects/{project}/runs/{run}/jobs/{job}", tag = "jobs",
    params(("project" = String, Path, description = "project slug"),
           ("run" = String, Path, description = "run name or id"),
           ("job" = String, Path, description = "job key or id")),
    responses((status = 200, body = JobDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((project, run, job)): Path<(String, String, String)>,
) -> ApiResult<Json<JobDetail>> {
    let access = Access::of(&s.db, &headers).await?;
    Ok(Json(read::job(&s.db, &access, &project, &run, &job).await?))
}
