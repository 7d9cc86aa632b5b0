use crate::error::AppError;
use leptos::prelude::*;
use shared::model::TestPage;

#[server]
pub async fn get_test(project: String, run: i64, job: i64, id: i64) -> Result<TestPage, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.test(&caller, &project, run, job, id).await;
    crate::backend::answer(&caller, result)
}
