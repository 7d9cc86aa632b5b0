use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn remove_member(csrf: String, project: String, user_id: i64) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.remove_member(&caller, &csrf, &project, user_id).await;
    crate::backend::answer(&caller, result)
}
