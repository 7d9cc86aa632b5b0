use crate::error::AppError;
use leptos::prelude::*;
use shared::accounts::AuditEntry;
use shared::model::Page;

/// The audit log of one project (its admins), or of everything (instance
/// admins).
#[server]
pub async fn list_audit(project: Option<String>, page: Option<i64>) -> Result<Page<AuditEntry>, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.audit(&caller, project.as_deref(), page).await;
    crate::backend::answer(&caller, result)
}
