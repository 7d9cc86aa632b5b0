use crate::error::AppError;
use leptos::prelude::*;

/// Signs in and goes to `next` (a local path), or to the account page when
/// the password was handed out and must be changed.
#[server]
pub async fn login(csrf: String, username: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let (user, cookies) = crate::backend::answer(&caller, backend.login(&caller, &csrf, &username, &password).await)?;
    crate::backend::set_cookies(cookies);
    let target = if user.must_change_password { "/account".to_owned() } else { super::safe_next(next.as_deref()) };
    leptos_axum::redirect(&target);
    Ok(())
}
