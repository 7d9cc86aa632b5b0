//! Front doors: the APIs of the tools our users run today, served as
//! those tools' unmodified clients expect them, each under its own prefix.
//! Every door maps what it receives onto Assay's model and stores it
//! through the one ingest pipeline ([`crate::ingest`]).

pub mod perftracker;
pub mod treeherder;

use crate::state::AppState;
use axum::Router;

/// Every door's routes.
pub fn routes() -> Router<AppState> {
    Router::new().nest("/perftracker", perftracker::routes()).nest("/treeherder", treeherder::routes())
}
