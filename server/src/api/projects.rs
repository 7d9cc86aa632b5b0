//! `GET /api/v1/projects`, `GET /api/v1/projects/{project}`.

use super::extract::{ApiPath, Reader};
use super::paths::ProjectPath;
use crate::error::ApiResult;
use crate::service::read;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use shared::model::{ErrorBody, Project};

/// Every project the caller may read, with its run count and newest run.
#[utoipa::path(get, path = "/projects", tag = "projects",
    responses((status = 200, body = Vec<Project>), (status = 401, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, Reader(access): Reader) -> ApiResult<Json<Vec<Project>>> {
    Ok(Json(read::projects(&s.db, &access).await?))
}

/// One project.
#[utoipa::path(get, path = "/projects/{project}", tag = "projects", params(ProjectPath),
    responses((status = 200, body = Project), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
) -> ApiResult<Json<Project>> {
    Ok(Json(read::project_json(&s.db, &access, &path.project).await?))
}
