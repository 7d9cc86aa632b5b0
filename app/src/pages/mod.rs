//! One module per page.

pub mod account;
pub mod admin;
pub mod alerts;
pub mod artifact;
pub mod clusters;
pub mod compare;
pub mod compare_tests;
pub mod durations;
pub mod flaky_tests;
pub mod job;
pub mod job_traces;
pub mod login;
pub mod not_found;
pub mod project_settings;
pub mod projects;
pub mod quarantine;
pub mod regressions;
pub mod run;
pub mod runs;
pub mod series;
pub mod test;
pub mod trace;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A path parameter of the current route.
pub(crate) fn path_param(name: &'static str) -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get(name).unwrap_or_default())
}

/// A numeric path parameter (ids); `None` if it is not a number.
pub(crate) fn id_param(name: &'static str) -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get(name).and_then(|v| v.parse().ok()))
}

/// A query parameter, `None` when absent or blank.
pub(crate) fn query_param(name: &'static str) -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name).filter(|v| !v.trim().is_empty()))
}

/// The `page` query parameter (1-based).
pub(crate) fn page_param() -> Memo<Option<i64>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("page").and_then(|p| p.parse().ok()).filter(|p: &i64| *p >= 1))
}

pub(crate) fn loading() -> impl IntoView {
    view! { <p class="loading">"Loading…"</p> }
}
