use crate::error::AppError;
use leptos::prelude::*;
use shared::accounts::CreatedToken;

/// Creates a project token, returned once (and, for a page without
/// JavaScript, left in a one-time cookie for the next render).
#[server]
pub async fn create_token(
    csrf: String,
    project: String,
    name: String,
    read_only: Option<String>,
) -> Result<CreatedToken, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let created = crate::backend::answer(
        &caller,
        backend.create_token(&caller, &csrf, &project, &name, super::ticked(&read_only)).await,
    )?;
    if caller.is_form_post() {
        let note = format!("New {} token {}: {}", created.view.scope, created.view.name, created.token);
        crate::backend::set_cookies(vec![crate::flash::set(&caller, &note)]);
    }
    Ok(created)
}
