use crate::error::AppError;
use leptos::prelude::*;
use shared::accounts::UserView;

#[server]
pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    backend.users(&caller).await
}
