use crate::error::AppError;
use leptos::prelude::*;

/// Sets a project's regression detection sensitivity (project admins).
#[server]
pub async fn set_detection(
    csrf: String,
    project: String,
    alpha: String,
    min_magnitude_pct: String,
) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.set_detection(&caller, &csrf, &project, &alpha, &min_magnitude_pct).await;
    crate::backend::answer(&caller, result)
}

/// Overrides a series' detection sensitivity (members); empty fields use
/// the project's.
#[server]
pub async fn set_series_detection(
    csrf: String,
    id: i64,
    alpha: String,
    min_magnitude_pct: String,
) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.set_series_detection(&caller, &csrf, id, &alpha, &min_magnitude_pct).await;
    crate::backend::answer(&caller, result)
}

/// Sets a project's flaky-test rules (project admins), as typed in the
/// settings form: branches separated by commas or spaces, whole numbers,
/// the infrastructure threshold in percent.
#[server]
pub async fn set_flaky_rules(
    csrf: String,
    project: String,
    branches: String,
    window: String,
    min_flips: String,
    recovery_runs: String,
    infra_pct: String,
) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let form = crate::backend::FlakyRulesForm { branches, window, min_flips, recovery_runs, infra_pct };
    let result = backend.set_flaky_rules(&caller, &csrf, &project, form).await;
    crate::backend::answer(&caller, result)
}
