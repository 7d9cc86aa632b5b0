use crate::error::AppError;
use leptos::prelude::*;

/// Adds an annotation to a project's graphs.
#[server]
pub async fn add_annotation(csrf: String, project: String, text: String, at: Option<String>) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.annotate(&caller, &csrf, &project, &text, at.as_deref()).await;
    crate::backend::answer(&caller, result)
}

#[server]
pub async fn remove_annotation(csrf: String, id: i64) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.remove_annotation(&caller, &csrf, id).await;
    crate::backend::answer(&caller, result)
}
