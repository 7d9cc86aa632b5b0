use crate::error::AppError;
use leptos::prelude::*;

/// Revokes a token: a row of the table (`token_id`), or the one a user
/// names by its secret, prefix or name (`token`).
#[server]
pub async fn revoke_token(
    csrf: String,
    project: String,
    token_id: Option<i64>,
    token: Option<String>,
) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.revoke_token(&caller, &csrf, &project, token_id, token.as_deref()).await;
    crate::backend::answer(&caller, result)
}
