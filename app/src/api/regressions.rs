use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::model::Project;
use shared::perf::regressions::Regression;

/// A project's regression tags (or one tag, with `tag`) and their jobs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionsView {
    pub project: Project,
    pub regressions: Vec<Regression>,
}

#[server]
pub async fn list_regressions(project: String, tag: Option<String>) -> Result<RegressionsView, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let (p, _) = crate::backend::answer(&caller, backend.project(&caller, &project).await)?;
    let regressions = crate::backend::answer(&caller, backend.regressions(&caller, &project, tag.as_deref()).await)?;
    Ok(RegressionsView { project: p, regressions })
}
