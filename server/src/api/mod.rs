//! The REST API, version 1: plain axum routes for machines (CI uploads,
//! scripts), described by an OpenAPI document at `/api/openapi.json` and
//! browsable at `/api/docs`.
//!
//! Every route is declared once, below: `routes!` takes the handler and
//! its `#[utoipa::path]` (method, path, parameters, answers) together, so
//! the router and the document cannot drift apart.

mod analytics;
mod artifacts;
pub mod extract;
mod hawk;
mod images;
mod jobs;
pub mod paths;
mod perf;
mod projects;
mod results;
mod runs;
mod traces;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Assay API", version = "1", description = "Upload test results, performance results and artifacts from CI and read them back."),
    modifiers(&TokenAuth),
    tags(
        (name = "projects"), (name = "runs"), (name = "jobs"),
        (name = "test results", description = "JUnit XML, TRX, NUnit and xUnit.net reports"),
        (name = "artifacts", description = "Logs, screenshots and any other file kept with a job"),
        (name = "performance", description = "Benchmark and performance-test results, series and job comparisons"),
        (name = "traces", description = "Rendering-trace results, their images and references"),
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

/// The API's routes, and the OpenAPI document they describe.
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .routes(routes!(projects::list))
        .routes(routes!(projects::get))
        .routes(routes!(runs::list, runs::create))
        .routes(routes!(runs::get))
        .routes(routes!(jobs::create))
        .routes(routes!(jobs::get, jobs::update))
        .routes(routes!(results::upload, results::list))
        .routes(routes!(results::summary))
        .routes(routes!(results::get))
        .routes(routes!(analytics::compare_tests))
        .routes(routes!(analytics::flaky_tests))
        .routes(routes!(analytics::flaky_rules, analytics::set_flaky_rules))
        .routes(routes!(analytics::quarantine_list, analytics::quarantine))
        .routes(routes!(analytics::lift_quarantine))
        .routes(routes!(hawk::list, hawk::create))
        .routes(routes!(hawk::revoke))
        .routes(routes!(analytics::clusters))
        .routes(routes!(analytics::cluster, analytics::name_cluster))
        .routes(routes!(analytics::job_clusters))
        .routes(routes!(analytics::job_durations))
        .routes(routes!(analytics::test_durations))
        .routes(routes!(artifacts::upload, artifacts::list))
        .routes(routes!(artifacts::get, artifacts::delete))
        .routes(routes!(artifacts::download))
        .routes(routes!(artifacts::lines))
        .routes(routes!(artifacts::search))
        .routes(routes!(perf::upload))
        .routes(routes!(perf::compare))
        .routes(routes!(perf::series))
        .routes(routes!(perf::points))
        .routes(routes!(perf::detection, perf::set_detection))
        .routes(routes!(perf::series_detection, perf::set_series_detection))
        .routes(routes!(perf::annotations, perf::annotate))
        .routes(routes!(perf::remove_annotation))
        .routes(routes!(perf::regressions))
        .routes(routes!(perf::regression))
        .routes(routes!(perf::alerts))
        .routes(routes!(perf::triage))
        .routes(routes!(traces::upload, traces::list))
        .routes(routes!(traces::detail))
        .routes(routes!(traces::result))
        .routes(routes!(traces::accept))
        .routes(routes!(traces::set_ignore_regions))
        .routes(routes!(traces::export));
    // Outside /api/v1, where Tracie served them, for short stable URLs.
    let images = OpenApiRouter::new().routes(routes!(images::image)).routes(routes!(images::thumb));
    let (v1, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1.fallback(api_not_found))
        .merge(images)
        .split_for_parts();
    (v1, doc)
}

pub fn routes() -> Router<AppState> {
    let (api, doc) = router();
    let served = doc.clone();
    api.route("/api/openapi.json", get(move || async move { axum::Json(served.clone()) }))
        .merge(utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/docs/openapi.json", doc))
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
