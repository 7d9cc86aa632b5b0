use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn set_member(csrf: String, project: String, username: String, role: String) -> Result<(), AppError> {
    let role = role.parse().map_err(|e: shared::status::UnknownValue| AppError::BadRequest(e.to_string()))?;
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.set_member(&caller, &csrf, &project, &username, role).await;
    crate::backend::answer(&caller, result)
}
