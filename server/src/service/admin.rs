//! Administration of projects: names, archiving, members, tokens; and of
//! the instance: settings, the audit log.

use super::access::Access;
use super::read;
use crate::db::audit::{self, Entry};
use crate::db::rows::ProjectRow;
use crate::db::tokens::Scope;
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use shared::accounts::{AuditEntry, CreatedToken, InstanceSettings, ProjectSettings, Role};
use shared::model::{Page, page_bounds};
use shared::validate;

/// A project the caller administers.
pub async fn managed(db: &Db, access: &Access, slug: &str) -> ApiResult<ProjectRow> {
    let p = read::project(db, slug).await?;
    access.require(db, &p, Role::Admin).await?;
    Ok(p)
}

pub async fn project_settings(db: &Db, access: &Access, slug: &str) -> ApiResult<ProjectSettings> {
    let p = managed(db, access, slug).await?;
    let members = db::members::list(db, p.id).await?.into_iter().map(|m| m.into_json()).collect();
    let tokens = db::tokens::list(db, p.id).await?.into_iter().map(|(t, by)| t.into_json(by)).collect();
    let detection = super::sensitivity::project(db, access, &p.slug).await?;
    let flaky = db::flaky::rules(db, p.id).await?;
    let hawk = db::hawk::list(db, p.id).await?.into_iter().map(super::hawk::view).collect();
    Ok(ProjectSettings {
        archived: p.archived_at.is_some(),
        slug: p.slug,
        name: p.name,
        members,
        tokens,
        detection,
        flaky,
        hawk,
    })
}

pub async fn rename_project(db: &Db, access: &Access, slug: &str, name: &str) -> ApiResult<()> {
    let p = managed(db, access, slug).await?;
    let name = name.trim();
    validate::name("project name", name).map_err(ApiError::BadRequest)?;
    let mut tx = db.begin_write().await?;
    db::projects::rename(&mut tx, p.id, name).await?;
    let entry = Entry {
        project_id: Some(p.id),
        action: "project.rename",
        target: p.slug.clone(),
        detail: Some(format!("{} → {name}", p.name)),
    };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_archived(db: &Db, access: &Access, slug: &str, archived: bool) -> ApiResult<()> {
    let p = managed(db, access, slug).await?;
    let mut tx = db.begin_write().await?;
    db::projects::set_archived(&mut tx, p.id, archived).await?;
    let action = if archived { "project.archive" } else { "project.unarchive" };
    audit::record(
        &mut tx,
        &access.actor(),
        Entry { project_id: Some(p.id), action, target: p.slug.clone(), detail: None },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a member or changes their role.
pub async fn set_member(db: &Db, access: &Access, slug: &str, username: &str, role: Role) -> ApiResult<()> {
    let p = managed(db, access, slug).await?;
    let user = db::users::by_name(db, username.trim())
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no user named '{}'", username.trim())))?;
    let mut tx = db.begin_write().await?;
    db::members::set(&mut tx, p.id, user.id, role).await?;
    let entry = Entry {
        project_id: Some(p.id),
        action: "member.set",
        target: user.username.clone(),
        detail: Some(role.to_string()),
    };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(db: &Db, access: &Access, slug: &str, user_id: i64) -> ApiResult<()> {
    let p = managed(db, access, slug).await?;
    let user = db::users::by_id(db, user_id).await?.ok_or_else(|| ApiError::not_found(format!("user {user_id}")))?;
    let mut tx = db.begin_write().await?;
    if !db::members::remove(&mut tx, p.id, user.id).await? {
        return Err(ApiError::NotFound(format!("'{}' is not a member of project '{}'", user.username, p.slug)));
    }
    let entry = Entry { project_id: Some(p.id), action: "member.remove", target: user.username.clone(), detail: None };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_token(db: &Db, access: &Access, slug: &str, name: &str, scope: Scope) -> ApiResult<CreatedToken> {
    let p = managed(db, access, slug).await?;
    let name = name.trim();
    validate::name("token name", name).map_err(ApiError::BadRequest)?;
    let by = access.user().map(|u| u.id);
    let mut tx = db.begin_write().await?;
    let (token, row) = db::tokens::create(&mut tx, p.id, name, scope, by).await?;
    let entry = Entry {
        project_id: Some(p.id),
        action: "token.create",
        target: format!("{} ({})", row.prefix, row.name),
        detail: Some(format!("scope {}", scope.as_str())),
    };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    let creator = access.user().map(|u| u.username.clone());
    Ok(CreatedToken { token, view: row.into_json(creator) })
}

/// Which token to revoke: a row of the settings page's table, or what a
/// user has at hand (the secret, the displayed prefix, or the name).
#[derive(Debug, Clone, Copy)]
pub enum TokenRef<'a> {
    Id(i64),
    Given(&'a str),
}

/// Revokes one of the project's live tokens. A name that several live
/// tokens share is refused (409) with their prefixes, so that the wrong
/// token is never revoked.
pub async fn revoke_token(db: &Db, access: &Access, slug: &str, which: TokenRef<'_>) -> ApiResult<()> {
    let p = managed(db, access, slug).await?;
    let mut tx = db.begin_write().await?;
    let row = match which {
        TokenRef::Id(id) => db::tokens::live_by_id(&mut tx, p.id, id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no live token #{id} in project '{}'", p.slug)))?,
        TokenRef::Given(given) => {
            let given = given.trim();
            if given.is_empty() {
                return Err(ApiError::BadRequest("name the token: its secret, its prefix or its name".into()));
            }
            let mut rows = db::tokens::matching(&mut tx, p.id, given).await?;
            match rows.len() {
                0 => {
                    return Err(ApiError::NotFound(format!(
                        "no live token of project '{}' has that secret, prefix or name",
                        p.slug
                    )));
                }
                1 => rows.remove(0),
                _ => {
                    let prefixes: Vec<&str> = rows.iter().map(|r| r.prefix.as_str()).collect();
                    return Err(ApiError::Conflict(format!(
                        "{} live tokens are named '{given}' ({}): give the prefix of the one to revoke",
                        rows.len(),
                        prefixes.join(", ")
                    )));
                }
            }
        }
    };
    db::tokens::revoke(&mut tx, row.id).await?;
    let entry = Entry {
        project_id: Some(p.id),
        action: "token.revoke",
        target: format!("{} ({})", row.prefix, row.name),
        detail: None,
    };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn settings(db: &Db, access: &Access) -> ApiResult<InstanceSettings> {
    access.require_instance_admin()?;
    Ok(db::settings::load(db).await?)
}

pub async fn save_settings(db: &Db, access: &Access, s: &InstanceSettings) -> ApiResult<()> {
    access.require_instance_admin()?;
    let mut tx = db.begin_write().await?;
    db::settings::save(&mut tx, s).await?;
    let entry = Entry {
        project_id: None,
        action: "settings.update",
        target: "instance".into(),
        detail: serde_json::to_string(s).ok(),
    };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The audit log of a project (its admins) or of everything (instance
/// admins).
pub async fn audit_log(
    db: &Db,
    access: &Access,
    slug: Option<&str>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> ApiResult<Page<AuditEntry>> {
    let project_id = match slug {
        Some(slug) => Some(managed(db, access, slug).await?.id),
        None => {
            access.require_instance_admin()?;
            None
        }
    };
    let (limit, offset) = page_bounds(limit, offset);
    let (rows, total) = db::audit::list(db, project_id, limit, offset).await?;
    Ok(Page { items: rows.into_iter().map(|r| r.into_json()).collect(), total, limit, offset })
}
