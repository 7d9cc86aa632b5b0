//! Permissions, checked on the server for every read and write, whether it
//! comes through the REST API or a UI server function.
//!
//! - Instance admins may do anything.
//! - In a project, a member's role decides: viewers read, members also
//!   upload (runs, jobs, results), admins also manage the project, its
//!   tokens and members. A write-scoped project token acts as a member of
//!   its project, a read-scoped one as a viewer; neither reaches other
//!   projects.
//! - Visitors who are not signed in read everything while the
//!   `anonymous_read` setting is on (the default), nothing otherwise;
//!   signed-in users then read the projects they belong to.
//! - A user whose password was handed out (by `assay user create` or an
//!   admin) has no rights beyond a visitor's until they choose their own
//!   on the account page.
//! - Status codes: 401 when signing in (or a valid token) would help,
//!   403 when the caller is known but not allowed.

use crate::auth::{self, Principal};
use crate::db::audit::Actor;
use crate::db::rows::{ProjectRow, UserRow};
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use axum::http::{Extensions, HeaderMap};
use shared::accounts::{Abilities, InstanceSettings, Role};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Access {
    pub principal: Principal,
    pub settings: InstanceSettings,
}

/// Where a request's [`Access`] is kept once resolved, so that it is
/// resolved once however many extractors, handlers and server functions
/// ask for it. The `slot` middleware puts an empty one in every request.
#[derive(Debug, Clone, Default)]
pub struct Resolved(Arc<tokio::sync::OnceCell<Result<Access, ApiError>>>);

/// Adds an empty [`Resolved`] slot to every request.
pub async fn slot(mut request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    request.extensions_mut().insert(Resolved::default());
    next.run(request).await
}

impl Access {
    /// The caller of a request: resolved on first use and kept in the
    /// request's extensions (its `Resolved` slot) for every later use.
    pub async fn of_request(db: &Db, headers: &HeaderMap, extensions: &Extensions) -> ApiResult<Access> {
        match extensions.get::<Resolved>() {
            Some(slot) => slot.0.get_or_init(|| Self::resolve(db, headers)).await.clone(),
            None => Self::resolve(db, headers).await,
        }
    }

    /// Resolves the caller from the request's headers, afresh: after a long
    /// upload the project may have been archived, or a role taken away.
    pub async fn resolve(db: &Db, headers: &HeaderMap) -> ApiResult<Access> {
        Ok(Access { principal: auth::principal(db, headers).await?, settings: db::settings::load(db).await? })
    }

    /// Checks that a write may proceed: with a session, the request must
    /// carry the anti-CSRF token (`X-CSRF-Token` header or the `csrf` field
    /// given); an ended session is a 401, never an anonymous write.
    pub fn check_write(&self, headers: &HeaderMap, csrf_field: Option<&str>) -> ApiResult<()> {
        match &self.principal {
            Principal::User { .. } => {
                let header = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
                auth::check_csrf(headers, csrf_field.or(header))
            }
            Principal::Anonymous { session_expired: true } => {
                Err(ApiError::Unauthorized("your session has ended: sign in again".into()))
            }
            _ => Ok(()),
        }
    }

    /// The command line on the server: it already has the database.
    pub fn system() -> Access {
        Access {
            principal: Principal::Service { name: "assay (command line)".into(), project_id: None },
            settings: InstanceSettings::default(),
        }
    }

    pub fn user(&self) -> Option<&UserRow> {
        match &self.principal {
            Principal::User { user, .. } => Some(user),
            _ => None,
        }
    }

    /// The command line, or a signed-in instance admin who chose their password.
    pub fn is_instance_admin(&self) -> bool {
        match &self.principal {
            Principal::Service { project_id: None, .. } => true,
            Principal::User { user, .. } => user.is_admin && !user.must_change_password,
            _ => false,
        }
    }

    /// Signed in with a handed-out password not yet replaced.
    fn password_pending(&self) -> bool {
        self.user().is_some_and(|u| u.must_change_password)
    }

    fn choose_password_first() -> ApiError {
        ApiError::Forbidden("choose your own password first, on your account page (/account)".into())
    }

    pub fn actor(&self) -> Actor {
        match &self.principal {
            Principal::Service { project_id: None, .. } => Actor::system(),
            Principal::Service { name, .. } => Actor { kind: "service", id: None, name: name.clone() },
            Principal::User { user, .. } => Actor { kind: "user", id: Some(user.id), name: user.username.clone() },
            Principal::Credential(c) => Actor { kind: c.kind.as_str(), id: Some(c.id), name: c.label.clone() },
            Principal::Anonymous { .. } => Actor { kind: "anonymous", id: None, name: "anonymous".into() },
        }
    }

    /// The caller's role in a project, if any.
    pub async fn role(&self, db: &Db, project: &ProjectRow) -> ApiResult<Option<Role>> {
        Ok(match &self.principal {
            Principal::User { user, .. } if user.must_change_password => None,
            Principal::User { user, .. } if user.is_admin => Some(Role::Admin),
            Principal::User { user, .. } => db::members::role(db, project.id, user.id).await?,
            Principal::Credential(c) if c.project_id == project.id => {
                Some(if c.write { Role::Member } else { Role::Viewer })
            }
            Principal::Service { project_id: None, .. } => Some(Role::Admin),
            Principal::Service { project_id: Some(p), .. } if *p == project.id => Some(Role::Member),
            _ => None,
        })
    }

    pub async fn can_read(&self, db: &Db, project: &ProjectRow) -> ApiResult<bool> {
        Ok(self.settings.anonymous_read || self.role(db, project).await?.is_some())
    }

    pub async fn require_read(&self, db: &Db, project: &ProjectRow) -> ApiResult<()> {
        if self.can_read(db, project).await? {
            return Ok(());
        }
        match &self.principal {
            Principal::Anonymous { .. } => {
                Err(ApiError::Unauthorized("sign in (or use an API token) to read this".into()))
            }
            Principal::Credential(c) => Err(ApiError::Forbidden(format!(
                "this {} does not belong to project '{}'",
                c.kind.noun(),
                project.slug
            ))),
            Principal::Service { name, .. } => {
                Err(ApiError::Forbidden(format!("{name} does not act for project '{}'", project.slug)))
            }
            Principal::User { .. } if self.password_pending() => Err(Self::choose_password_first()),
            Principal::User { .. } => {
                Err(ApiError::Forbidden(format!("you are not a member of project '{}'", project.slug)))
            }
        }
    }

    /// At least `needed` in the project.
    pub async fn require(&self, db: &Db, project: &ProjectRow, needed: Role) -> ApiResult<()> {
        if let Principal::Anonymous { .. } = self.principal {
            return Err(ApiError::Unauthorized(
                "this needs a signed-in user or a project API token: Authorization: Bearer <token> (create one with `assay token create <project>`)".into(),
            ));
        }
        match self.role(db, project).await? {
            Some(role) if role >= needed => Ok(()),
            _ => Err(match &self.principal {
                Principal::Credential(c) if c.project_id != project.id => {
                    ApiError::Forbidden(format!("this {} does not belong to project '{}'", c.kind.noun(), project.slug))
                }
                Principal::Credential(c) if needed > Role::Member => {
                    ApiError::Forbidden(format!("this {} cannot manage the project", c.kind.noun()))
                }
                Principal::Credential(c) => ApiError::Forbidden(format!("this {} is read-only", c.kind.noun())),
                _ if self.password_pending() => Self::choose_password_first(),
                _ => ApiError::Forbidden(format!("this needs the {needed} role in project '{}'", project.slug)),
            }),
        }
    }

    pub fn require_signed_in(&self) -> ApiResult<&UserRow> {
        self.user().ok_or_else(|| ApiError::Unauthorized("sign in first".into()))
    }

    /// An instance admin: the command line, or a signed-in admin. Returns
    /// the admin's user row, if a user.
    pub fn require_instance_admin(&self) -> ApiResult<Option<&UserRow>> {
        if let Principal::Service { project_id: None, .. } = self.principal {
            return Ok(None);
        }
        let user = self.require_signed_in()?;
        if self.password_pending() {
            return Err(Self::choose_password_first());
        }
        if user.is_admin { Ok(Some(user)) } else { Err(ApiError::Forbidden("only instance admins may do this".into())) }
    }

    pub async fn abilities(&self, db: &Db, project: &ProjectRow) -> ApiResult<Abilities> {
        let role = self.role(db, project).await?;
        let writable = project.archived_at.is_none();
        Ok(Abilities {
            upload: writable && role.is_some_and(|r| r >= Role::Member),
            manage: role.is_some_and(|r| r >= Role::Admin),
        })
    }
}

/// Refuses writes to an archived project.
pub fn require_writable(project: &ProjectRow) -> ApiResult<()> {
    if project.archived_at.is_some() {
        return Err(ApiError::Conflict(format!("project '{}' is archived and takes no new results", project.slug)));
    }
    Ok(())
}
