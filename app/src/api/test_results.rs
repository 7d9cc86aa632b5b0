use crate::error::AppError;
use leptos::prelude::*;
use shared::model::{Page, TestResultRow};

#[server]
pub async fn list_test_results(
    project: String,
    run: i64,
    job: i64,
    status: Option<String>,
    q: Option<String>,
    order: Option<String>,
    page: Option<i64>,
) -> Result<Page<TestResultRow>, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let query = shared::model::TestResultQuery {
        status,
        q,
        order,
        limit: Some(super::PAGE_SIZE),
        offset: Some(super::offset(page)),
    };
    let result = backend.test_results(&caller, &project, run, job, query).await;
    crate::backend::answer(&caller, result)
}
