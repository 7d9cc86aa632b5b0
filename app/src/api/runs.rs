use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::model::{Page, Project, RunSummary};

/// A project's runs page: the project, one page of runs, and the branches
/// to filter by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunsView {
    pub project: Project,
    pub runs: Page<RunSummary>,
    pub branches: Vec<String>,
}

#[server]
pub async fn list_runs(
    project: String,
    branch: Option<String>,
    page: Option<i64>,
) -> Result<RunsView, AppError> {
    let backend = crate::backend::backend()?;
    let query = shared::model::RunQuery {
        branch,
        limit: Some(super::PAGE_SIZE),
        offset: Some(super::offset(page)),
    };
    Ok(RunsView {
        project: backend.project(&project).await?,
        runs: backend.runs(&project, query).await?,
        branches: backend.branches(&project).await?,
    })
}
