use crate::error::AppError;
use leptos::prelude::*;
use shared::analytics::wire::FlakyTests;

/// A project's flaky tests, filtered and sorted as on the page.
#[server]
pub async fn get_flaky_tests(
    project: String,
    state: Option<String>,
    rule: Option<String>,
    q: Option<String>,
    sort: Option<String>,
) -> Result<FlakyTests, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.flaky_tests(&caller, &project, state, rule, q, sort).await;
    crate::backend::answer(&caller, result)
}
