//! The UI: Leptos pages rendered here and hydrated in the browser, and the
//! compiled assets they load.

pub mod backend;

use crate::state::AppState;
use app::backend::SharedBackend;
use axum::Router;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Finds the directory holding `pkg/assay.js`: `--site-root` if given,
/// else next to the binary (`<exe>/site`, then `target/site` for a binary
/// in `target/<profile>/`), else the workspace's `target/site`.
pub fn find_site_root(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        candidates.push(dir.join("site"));
        if let Some(up) = dir.parent() {
            candidates.push(up.join("site"));
        }
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site"));
    candidates.into_iter().find(|c| c.join("pkg").join("assay.js").is_file())
}

pub fn leptos_options(site_root: &Path, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("assay")
        .site_root(site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(Env::PROD)
        .build()
}

/// The UI's pages and server functions, with the backend in context.
pub fn routes(state: &AppState) -> Router<AppState> {
    let backend: SharedBackend = Arc::new(backend::DbBackend {
        db: state.db.clone(),
        blobs: state.blobs.clone(),
        trust_proxy: state.config.trust_proxy,
        sealing_key: state.config.sealing_key.clone(),
    });
    let route_list = generate_route_list(app::App);
    let options = state.leptos_options.clone();
    Router::new()
        .leptos_routes_with_context(
            state,
            route_list,
            move || provide_context(backend.clone()),
            move || app::shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
}
