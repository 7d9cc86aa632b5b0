//! `GET /api/v1/projects`, `GET /api/v1/projects/{project}`.

use crate::error::ApiResult;
use crate::service::access::Access;
use crate::service::read;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use shared::model::{ErrorBody, Project};

/// Every project the caller may read, with its run count and newest run.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects",
    responses((status = 200, body = Vec<Project>), (status = 401, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Json<Vec<Project>>> {
    let access = Access::of(&s.db, &headers).await?;
    Ok(Json(read::projects(&s.db, &access).await?))
}

/// One project.
#[utoipa::path(get, path = "/api/v1/projects/{project}", tag = "projects",
    params(("project" = String, Path, description = "project slug")),
    responses((status = 200, body = Project), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(project): Path<String>,
) -> ApiResult<Json<Project>> {
    let access = Access::of(&s.db, &headers).await?;
    Ok(Json(read::project_json(&s.db, &access, &project).await?))
}
