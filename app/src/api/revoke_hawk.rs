use crate::error::AppError;
use leptos::prelude::*;

/// Revokes Hawk credentials by client id.
#[server]
pub async fn revoke_hawk(csrf: String, project: String, client_id: String) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.revoke_hawk(&caller, &csrf, &project, &client_id).await;
    crate::backend::answer(&caller, result)
}
