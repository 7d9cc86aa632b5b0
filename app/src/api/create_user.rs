use crate::error::AppError;
use leptos::prelude::*;
use shared::accounts::CreatedUser;

/// Creates a user with a one-time password, returned once (and, for a
/// page without JavaScript, left in a one-time cookie for the next render).
#[server]
pub async fn create_user(csrf: String, username: String, admin: Option<String>) -> Result<CreatedUser, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let created =
        crate::backend::answer(&caller, backend.create_user(&caller, &csrf, &username, super::ticked(&admin)).await)?;
    if caller.is_form_post() {
        let note = format!("One-time password for {}: {}", created.user.username, created.password);
        crate::backend::set_cookies(vec![crate::flash::set(&caller, &note)]);
    }
    Ok(created)
}
