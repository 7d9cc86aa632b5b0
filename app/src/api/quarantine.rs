use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::accounts::Abilities;
use shared::analytics::wire::QuarantineList;
use shared::model::Project;

/// A project's quarantine page: the project, what the viewer may do, and
/// its quarantined tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarantineView {
    pub project: Project,
    pub abilities: Abilities,
    pub list: QuarantineList,
}

#[server]
pub async fn get_quarantine(project: String, state: Option<String>) -> Result<QuarantineView, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let (p, abilities) = crate::backend::answer(&caller, backend.project(&caller, &project).await)?;
    let all = state.as_deref() == Some("all");
    let list = crate::backend::answer(&caller, backend.quarantine(&caller, &project, all).await)?;
    Ok(QuarantineView { project: p, abilities, list })
}

/// Quarantines a test (members): a reason, and an expiry in days or none.
#[server]
pub async fn quarantine_test(
    csrf: String,
    project: String,
    suite: String,
    classname: String,
    name: String,
    reason: String,
    expires_in_days: Option<String>,
) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let test = shared::analytics::wire::QuarantineRequest { suite, classname, name, reason, expires_at: None };
    let result = backend.quarantine_test(&caller, &csrf, &project, test, expires_in_days.as_deref()).await;
    crate::backend::answer(&caller, result.map(|_| ()))
}

/// Lifts a quarantine (members).
#[server]
pub async fn lift_quarantine(csrf: String, project: String, id: i64) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.lift_quarantine(&caller, &csrf, &project, id).await;
    crate::backend::answer(&caller, result)
}
