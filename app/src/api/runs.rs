use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::accounts::Abilities;
use shared::model::{Page, Project, RunSummary};

/// A project's runs page: the project, one page of runs, the branches to
/// filter by, and what the viewer may do there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunsView {
    pub project: Project,
    pub abilities: Abilities,
    pub runs: Page<RunSummary>,
    pub branches: Vec<String>,
}

#[server]
pub async fn list_runs(project: String, branch: Option<String>, page: Option<i64>) -> Result<RunsView, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let query = shared::model::RunQuery { branch, limit: Some(super::PAGE_SIZE), offset: Some(super::offset(page)) };
    let (p, abilities) = crate::backend::answer(&caller, backend.project(&caller, &project).await)?;
    Ok(RunsView {
        project: p,
        abilities,
        runs: crate::backend::answer(&caller, backend.runs(&caller, &project, query).await)?,
        branches: crate::backend::answer(&caller, backend.branches(&caller, &project).await)?,
    })
}
