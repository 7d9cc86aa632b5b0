use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn revoke_token(csrf: String, project: String, token_id: i64) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.revoke_token(&caller, &csrf, &project, token_id).await;
    crate::backend::answer(&caller, result)
}
