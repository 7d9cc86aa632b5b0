use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::accounts::Abilities;
use shared::model::Project;
use shared::perf::alerts::AlertList;

/// A project's alerts page: the project, what the viewer may do, and the
/// alerts with the detector's precision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertsView {
    pub project: Project,
    pub abilities: Abilities,
    pub list: AlertList,
}

#[server]
pub async fn list_alerts(
    project: String,
    status: Option<String>,
    summary: Option<i64>,
) -> Result<AlertsView, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let (p, abilities) = crate::backend::answer(&caller, backend.project(&caller, &project).await)?;
    let list = crate::backend::answer(&caller, backend.alerts(&caller, &project, status.as_deref(), summary).await)?;
    Ok(AlertsView { project: p, abilities, list })
}

/// Triages an alert: a status and an optional note.
#[server]
pub async fn triage_alert(csrf: String, id: i64, status: String, note: Option<String>) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.triage_alert(&caller, &csrf, id, &status, note.as_deref()).await;
    crate::backend::answer(&caller, result)
}
