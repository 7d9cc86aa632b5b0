//! `GET /api/v1/projects`, `GET /api/v1/projects/{project}`.

use crate::error::ApiResult;
use crate::service::read;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use shared::model::{ErrorBody, Project};

/// Every project, with its run count and newest run.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects",
    responses((status = 200, body = Vec<Project>)))]
pub async fn list(State(s): State<AppState>) -> ApiResult<Json<Vec<Project>>> {
    Ok(Json(read::projects(&s.db).await?))
}

/// One project.
#[utoipa::path(get, path = "/api/v1/projects/{project}", tag = "projects",
    params(("project" = String, Path, description = "project slug")),
    responses((status = 200, body = Project), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    Path(project): Path<String>,
) -> ApiResult<Json<Project>> {
    Ok(Json(read::project_json(&s.db, &project).await?))
}
