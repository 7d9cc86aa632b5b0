use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn set_user_admin(csrf: String, user_id: i64, admin: bool) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.set_user_admin(&caller, &csrf, user_id, admin).await;
    crate::backend::answer(&caller, result)
}
