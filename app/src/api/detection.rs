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
