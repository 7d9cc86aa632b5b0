//! Jobs of a run.

use super::extract::{ApiJson, ApiPath, Reader, Writer};
use super::paths::{JobPath, RunPath};
use crate::error::ApiResult;
use crate::service::{read, write};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use shared::model::{CreateJob, ErrorBody, JobDetail, JobSummary, UpdateJob};

/// Creates a job in a run, or returns the existing job with that key (200).
#[utoipa::path(post, path = "/projects/{project}/runs/{run}/jobs", tag = "jobs", params(RunPath),
    request_body = CreateJob,
    security(("token" = [])),
    responses(
        (status = 201, description = "created", body = JobSummary),
        (status = 200, description = "a job with that key already existed", body = JobSummary),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the project is archived", body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<RunPath>,
    ApiJson(req): ApiJson<CreateJob>,
) -> ApiResult<(StatusCode, Json<JobSummary>)> {
    let (row, created) = write::create_job(&s.db, &access, &path.project, (&path.run).into(), &req).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(row.into_json())))
}

/// Updates a job's state, result or times.
#[utoipa::path(patch, path = "/projects/{project}/runs/{run}/jobs/{job}", tag = "jobs", params(JobPath),
    request_body = UpdateJob,
    security(("token" = [])),
    responses((status = 200, body = JobSummary), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the project is archived", body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<JobPath>,
    ApiJson(req): ApiJson<UpdateJob>,
) -> ApiResult<Json<JobSummary>> {
    let row = write::update_job(&s.db, &access, &path.project, (&path.run).into(), (&path.job).into(), &req).await?;
    Ok(Json(row.into_json()))
}

/// A job with its run, its uploaded files and its artifacts.
#[utoipa::path(get, path = "/projects/{project}/runs/{run}/jobs/{job}", tag = "jobs", params(JobPath),
    responses((status = 200, body = JobDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<JobPath>,
) -> ApiResult<Json<JobDetail>> {
    Ok(Json(read::job(&s.db, &access, &path.project, &path.run, &path.job).await?))
}
