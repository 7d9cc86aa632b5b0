use crate::error::AppError;
use leptos::prelude::*;
use shared::analytics::wire::{JobDurations, TestDurations};

/// A job's slowest tests and the tests of its key that got slower.
#[server]
pub async fn get_job_durations(
    project: String,
    run: i64,
    job: i64,
    window: Option<i64>,
) -> Result<JobDurations, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.job_durations(&caller, &project, run, job, window).await;
    crate::backend::answer(&caller, result)
}

/// A test's durations over its recent results.
#[server]
pub async fn get_test_durations(project: String, run: i64, job: i64, test: i64) -> Result<TestDurations, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.test_durations(&caller, &project, run, job, test).await;
    crate::backend::answer(&caller, result)
}
