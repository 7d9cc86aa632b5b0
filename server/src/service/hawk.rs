//! Hawk credentials of a project (Treeherder's door): made, listed and
//! revoked by the project's admins; each writes to its project only.

use super::access::Access;
use super::admin::managed;
use crate::auth::hawk::{SealingKey, new_secret};
use crate::db::audit::{self, Entry};
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use shared::treeherder::{CreatedHawk, HawkCredential};

pub fn view(r: db::hawk::HawkRow) -> HawkCredential {
    HawkCredential {
        client_id: r.client_id,
        created_by: r.creator,
        created_at: r.created_at,
        last_used_at: r.last_used_at,
        revoked_at: r.revoked_at,
    }
}

pub async fn list(db: &Db, access: &Access, slug: &str) -> ApiResult<Vec<HawkCredential>> {
    let p = managed(db, access, slug).await?;
    Ok(db::hawk::list(db, p.id).await?.into_iter().map(view).collect())
}

fn check_client_id(id: &str) -> ApiResult<()> {
    let ok = !id.is_empty()
        && id.len() <= 100
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!("client_id '{id}' must be 1 to 100 letters, digits, '.', '_' or '-'")))
    }
}

pub async fn create(
    db: &Db,
    access: &Access,
    key: &SealingKey,
    slug: &str,
    client_id: Option<&str>,
) -> ApiResult<CreatedHawk> {
    let p = managed(db, access, slug).await?;
    let client_id = match client_id.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => c.to_owned(),
        None => {
            let mut b = [0u8; 4];
            rand::fill(&mut b);
            format!("{}-{}", p.slug, hex::encode(b))
        }
    };
    check_client_id(&client_id)?;
    let secret = new_secret();
    let sealed = key.seal(&client_id, &secret);
    let mut tx = db.begin_write().await?;
    match db::hawk::create(&mut tx, p.id, &client_id, &sealed, access.user().map(|u| u.id)).await {
        Ok(_) => {}
        Err(e) if db::is_unique_violation(&e) => {
            return Err(ApiError::Conflict(format!("a Hawk client '{client_id}' already exists")));
        }
        Err(e) => return Err(e.into()),
    }
    let entry = Entry { project_id: Some(p.id), action: "hawk.create", target: client_id.clone(), detail: None };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    let credential = db::hawk::list(db, p.id)
        .await?
        .into_iter()
        .find(|r| r.client_id == client_id)
        .map(view)
        .ok_or_else(|| ApiError::internal("the new Hawk credential vanished"))?;
    Ok(CreatedHawk { client_id, secret, credential })
}

pub async fn revoke(db: &Db, access: &Access, slug: &str, client_id: &str) -> ApiResult<()> {
    let p = managed(db, access, slug).await?;
    let mut tx = db.begin_write().await?;
    if !db::hawk::revoke(&mut tx, p.id, client_id.trim()).await? {
        return Err(ApiError::NotFound(format!("no live Hawk client '{}' in project '{}'", client_id.trim(), p.slug)));
    }
    let entry =
        Entry { project_id: Some(p.id), action: "hawk.revoke", target: client_id.trim().to_owned(), detail: None };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(())
}
