//! Jobs of a run.

use super::auth;
use super::extract::{ApiJson, Bearer};
use crate::error::ApiResult;
use crate::service::{read, write};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
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
        (status = 404, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    Path((project, run)): Path<(String, String)>,
    bearer: Bearer,
    ApiJson(req): ApiJson<CreateJob>,
) -> ApiResult<(StatusCode, Json<JobSummary>)> {
    let (_, project) = auth::writer(&s.db, &bearer, &project).await?;
    let run = read::run_row(&s.db, &project, &run).await?;
    let (row, created) = write::create_job(&s.db, &project, &run, &req).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
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
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    Path((project, run, job)): Path<(String, String, String)>,
    bearer: Bearer,
    ApiJson(req): ApiJson<UpdateJob>,
) -> ApiResult<Json<JobSummary>> {
    let (_, project) = auth::writer(&s.db, &bearer, &project).await?;
    let run = read::run_row(&s.db, &project, &run).await?;
    let job = read::job_row(&s.db, &run, &job).await?;
    Ok(Json(
        write::update_job(&s.db, &run, &job, &req)
            .await?
            .into_json(),
    ))
}

/// A job with its run and uploaded report files.
#[utoipa::path(get, path = "/api/v1/projects/{project}/runs/{run}/jobs/{job}", tag = "jobs",
    params(("project" = String, Path, description = "project slug"),
           ("run" = String, Path, description = "run name or id"),
           ("job" = String, Path, description = "job key or id")),
    responses((status = 200, body = JobDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    Path((project, run, job)): Path<(String, String, String)>,
) -> ApiResult<Json<JobDetail>> {
    Ok(Json(read::job(&s.db, &project, &run, &job).await?))
}
