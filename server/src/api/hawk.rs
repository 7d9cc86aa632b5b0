//! Hawk credentials for Treeherder's door (project admins).

use super::extract::{ApiJson, ApiPath, Reader, Writer};
use super::paths::ProjectPath;
use crate::error::ApiResult;
use crate::service::hawk;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::model::ErrorBody;
use shared::treeherder::{CreateHawk, CreatedHawk, HawkCredential};

/// The project's Hawk credentials (client ids, who made them, last use;
/// never the secrets).
#[utoipa::path(get, path = "/projects/{project}/hawk-credentials", tag = "projects",
    params(ProjectPath),
    security(("token" = [])),
    responses((status = 200, body = Vec<HawkCredential>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
) -> ApiResult<Json<Vec<HawkCredential>>> {
    Ok(Json(hawk::list(&s.db, &access, &path.project).await?))
}

/// Makes a Hawk client id and secret that write to this project through
/// `/treeherder` (what treeherder-client's `client_id` and `secret` take).
/// The secret is in this answer only. 409 when the client id is taken.
#[utoipa::path(post, path = "/projects/{project}/hawk-credentials", tag = "projects",
    params(ProjectPath),
    request_body = CreateHawk,
    security(("token" = [])),
    responses((status = 201, body = CreatedHawk), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiJson(body): ApiJson<CreateHawk>,
) -> ApiResult<(StatusCode, Json<CreatedHawk>)> {
    let created = hawk::create(&s.db, &access, &s.config.sealing_key, &path.project, body.client_id.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct HawkPath {
    /// The project's slug.
    pub project: String,
    /// The credential's client id.
    pub client_id: String,
}

/// Revokes a Hawk credential: requests signed with it get 403 from now on.
#[utoipa::path(delete, path = "/projects/{project}/hawk-credentials/{client_id}", tag = "projects",
    params(HawkPath),
    security(("token" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<HawkPath>,
) -> ApiResult<StatusCode> {
    hawk::revoke(&s.db, &access, &path.project, &path.client_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
