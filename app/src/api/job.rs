use crate::error::AppError;
use leptos::prelude::*;
use shared::model::JobDetail;

#[server]
pub async fn get_job(project: String, run: i64, job: i64) -> Result<JobDetail, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.job(&caller, &project, run, job).await;
    crate::backend::answer(&caller, result)
}
