use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::analytics::wire::TestComparison;
use shared::model::RunSummary;

/// The compare-tests page: the comparison, and the project's recent runs
/// to pick others from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestCompareView {
    pub comparison: TestComparison,
    pub runs: Vec<RunSummary>,
}

/// Two jobs (`base`, `head`) or two runs (`base_run`, `head_run`).
#[server]
pub async fn get_test_comparison(
    base: Option<i64>,
    head: Option<i64>,
    base_run: Option<i64>,
    head_run: Option<i64>,
) -> Result<TestCompareView, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let comparison =
        crate::backend::answer(&caller, backend.compare_tests(&caller, base, head, base_run, head_run).await)?;
    let query = shared::model::RunQuery { branch: None, limit: Some(50), offset: None };
    let runs = crate::backend::answer(&caller, backend.runs(&caller, &comparison.project, query).await)?.items;
    Ok(TestCompareView { comparison, runs })
}
