//! The REST API, version 1: plain axum routes for machines (CI uploads,
//! scripts), described by an OpenAPI document at `/api/openapi.json` and
//! browsable at `/api/docs`.

pub mod extract;
mod jobs;
mod projects;
mod results;
mod runs;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(title = "Assay API", version = "1", description = "Upload test results from CI and read them back."),
    paths(
        projects::list, projects::get,
        runs::create, runs::list, runs::get,
        jobs::create, jobs::update, jobs::get,
        results::upload, results::list, results::summary, results::get,
    ),
    modifiers(&TokenAuth),
    tags(
        (name = "projects"), (name = "runs"), (name = "jobs"),
        (name = "test results", description = "JUnit XML, TRX, NUnit and xUnit.net reports"),
    )
)]
pub struct ApiDoc;

struct TokenAuth;

impl utoipa::Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn routes(max_body_bytes: u64) -> Router<AppState> {
    let v1 = Router::new()
        .route("/projects", get(projects::list))
        .route("/projects/{project}", get(projects::get))
        .route("/projects/{project}/runs", get(runs::list).post(runs::create))
        .route("/projects/{project}/runs/{run}", get(runs::get))
        .route("/projects/{project}/runs/{run}/jobs", axum::routing::post(jobs::create))
        .route("/projects/{project}/runs/{run}/jobs/{job}", get(jobs::get).patch(jobs::update))
        .route(
            "/projects/{project}/runs/{run}/jobs/{job}/test-results",
            get(results::list)
                .post(results::upload)
                .layer(DefaultBodyLimit::max(usize::try_from(max_body_bytes).unwrap_or(usize::MAX))),
        )
        .route("/projects/{project}/runs/{run}/jobs/{job}/test-results/summary", get(results::summary))
        .route("/projects/{project}/runs/{run}/jobs/{job}/test-results/{id}", get(results::get))
        .fallback(api_not_found);
    Router::new()
        .nest("/api/v1", v1)
        .route("/api/openapi.json", get(|| async { axum::Json(ApiDoc::openapi()) }))
        .merge(utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/docs/openapi.json", ApiDoc::openapi()))
        .route("/healthz", get(healthz))
}

async fn api_not_found(axum::extract::OriginalUri(uri): axum::extract::OriginalUri) -> ApiError {
    ApiError::NotFound(format!("no API route {}", uri.path()))
}

/// 200 when the database answers, 503 when it does not.
async fn healthz(State(s): State<AppState>) -> (StatusCode, axum::Json<serde_json::Value>) {
    match s.db.ping().await {
        Ok(()) => (StatusCode::OK, axum::Json(serde_json::json!({"status": "ok", "database": s.db.backend_name()}))),
        Err(e) => {
            tracing::warn!("health check: database unreachable: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(
                    serde_json::json!({"status": "unavailable", "database": s.db.backend_name(), "detail": "database unreachable"}),
                ),
            )
        }
    }
}
