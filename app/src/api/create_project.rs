use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn create_project(csrf: String, slug: String, name: String) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    crate::backend::answer(&caller, backend.create_project(&caller, &csrf, slug.trim(), &name).await)?;
    leptos_axum::redirect(&format!("{}/settings", crate::routes::project(slug.trim())));
    Ok(())
}
