use crate::error::AppError;
use leptos::prelude::*;
use shared::accounts::InstanceSettings;

#[server]
pub async fn get_settings() -> Result<InstanceSettings, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.settings(&caller).await;
    crate::backend::answer(&caller, result)
}
