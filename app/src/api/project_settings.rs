use crate::error::AppError;
use leptos::prelude::*;
use shared::accounts::ProjectSettings;

#[server]
pub async fn get_project_settings(project: String) -> Result<ProjectSettings, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.project_settings(&caller, &project).await;
    crate::backend::answer(&caller, result)
}
