use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn save_settings(csrf: String, anonymous_read: Option<String>) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let settings = shared::accounts::InstanceSettings { anonymous_read: super::ticked(&anonymous_read) };
    let result = backend.save_settings(&caller, &csrf, settings).await;
    crate::backend::answer(&caller, result)
}
