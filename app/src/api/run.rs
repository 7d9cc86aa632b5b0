use crate::error::AppError;
use leptos::prelude::*;
use shared::model::RunDetail;

#[server]
pub async fn get_run(project: String, run: i64) -> Result<RunDetail, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.run(&caller, &project, run).await;
    crate::backend::answer(&caller, result)
}
