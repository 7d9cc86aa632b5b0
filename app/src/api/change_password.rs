use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn change_password(csrf: String, current: String, new: String, repeat: String) -> Result<(), AppError> {
    if new != repeat {
        return Err(AppError::BadRequest("the two new passwords differ".into()));
    }
    let (backend, caller) = crate::backend::backend()?;
    crate::backend::answer(&caller, backend.change_password(&caller, &csrf, &current, &new).await)?;
    leptos_axum::redirect("/account?changed=1");
    Ok(())
}
