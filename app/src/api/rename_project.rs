use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn rename_project(csrf: String, project: String, name: String) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.rename_project(&caller, &csrf, &project, &name).await;
    crate::backend::answer(&caller, result)
}
