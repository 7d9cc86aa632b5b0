use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn archive_project(csrf: String, project: String, archived: bool) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.archive_project(&caller, &csrf, &project, archived).await;
    crate::backend::answer(&caller, result)
}
