use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn logout(csrf: String) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let cookies = crate::backend::answer(&caller, backend.logout(&caller, &csrf).await)?;
    crate::backend::set_cookies(cookies);
    leptos_axum::redirect("/");
    Ok(())
}
