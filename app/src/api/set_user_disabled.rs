use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn set_user_disabled(csrf: String, user_id: i64, disabled: bool) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.set_user_disabled(&caller, &csrf, user_id, disabled).await;
    crate::backend::answer(&caller, result)
}
