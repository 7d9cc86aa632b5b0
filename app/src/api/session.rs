use crate::error::AppError;
use leptos::prelude::*;
use shared::accounts::SessionView;

/// Who is signed in, and the anti-CSRF token for forms (issued as a cookie
/// here when the browser has none yet).
#[server]
pub async fn get_session() -> Result<SessionView, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let (view, cookies) = crate::backend::answer(&caller, backend.session(&caller).await)?;
    crate::backend::set_cookies(cookies);
    Ok(view)
}

/// A one-time secret left for a page rendered without JavaScript (a new
/// token or password), read once and cleared.
#[server]
pub async fn take_flash() -> Result<Option<String>, AppError> {
    let (_, caller) = crate::backend::backend()?;
    let value = crate::flash::read(&caller.headers);
    if value.is_some() {
        crate::backend::set_cookies(vec![crate::flash::clear(&caller)]);
    }
    Ok(value)
}
