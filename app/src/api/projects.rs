use crate::error::AppError;
use leptos::prelude::*;
use shared::model::Project;

#[server]
pub async fn list_projects() -> Result<Vec<Project>, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.projects(&caller).await;
    crate::backend::answer(&caller, result)
}
