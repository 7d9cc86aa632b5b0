use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn change_password(csrf: String, current: String, new: String, repeat: String) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = if new != repeat {
        Err(AppError::BadRequest("the two new passwords differ".into()))
    } else {
        backend.change_password(&caller, &csrf, &current, &new).await
    };
    crate::backend::answer(&caller, result)?;
    leptos_axum::redirect("/account?changed=1");
    Ok(())
}
