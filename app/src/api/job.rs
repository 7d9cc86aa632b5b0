use crate::error::AppError;
use leptos::prelude::*;
use shared::model::JobDetail;

#[server]
pub async fn get_job(project: String, run: i64, job: i64) -> Result<JobDetail, AppError> {
    crate::backend::backend()?.job(&project, run, job).await
}
