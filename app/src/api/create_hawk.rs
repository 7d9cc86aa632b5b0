use crate::error::AppError;
use leptos::prelude::*;
use shared::treeherder::CreatedHawk;

/// Creates Hawk credentials for Treeherder's door, the secret returned
/// once (and, for a page without JavaScript, left in a one-time cookie
/// for the next render).
#[server]
pub async fn create_hawk(csrf: String, project: String, client_id: Option<String>) -> Result<CreatedHawk, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let id = client_id.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let created = crate::backend::answer(&caller, backend.create_hawk(&caller, &csrf, &project, id).await)?;
    if caller.is_form_post() {
        let note = format!("New Hawk credentials (client id and secret): {} {}", created.client_id, created.secret);
        crate::backend::set_cookies(vec![crate::flash::set(&caller, &note)]);
    }
    Ok(created)
}
