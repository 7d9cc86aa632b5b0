use crate::error::AppError;
use leptos::prelude::*;
use shared::accounts::UserView;

#[server]
pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.users(&caller).await;
    crate::backend::answer(&caller, result)
}
