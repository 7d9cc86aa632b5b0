//! The Assay server: REST API, ingestion, storage and the UI, as a library
//! so that tests can build the same router the binary serves.

pub mod api;
pub mod auth;
pub mod blobs;
pub mod cli;
pub mod config;
pub mod db;
pub mod doors;
pub mod error;
pub mod ingest;
pub mod service;
pub mod state;
pub mod web;

use axum::Router;
use state::AppState;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// The whole HTTP application: API, health check, UI. Every request gets
/// a slot for its caller, resolved once on first use by the API's
/// extractors and the UI's server functions alike.
pub fn app(state: AppState) -> Router {
    api::routes()
        .merge(doors::routes())
        .merge(web::routes(&state))
        .layer(axum::middleware::from_fn(service::access::slot))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
