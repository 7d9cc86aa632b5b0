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
use axum::http::HeaderMap;
use shared::accounts::{Abilities, InstanceSettings, Role};

#[derive(Debug, Clone)]
pub struct Access {
    pub principal: Principal,
    pub settings: InstanceSettings,
}

impl Access {
    /// The caller of a read.
    pub async fn of(db: &Db, headers: &HeaderMap) -> ApiResult<Access> {
        Ok(Access { principal: auth::principal(db, headers).await?, settings: db::settings::load(db).await? })
    }

    /// The caller of a write: with a session, the request must also carry
    /// the anti-CSRF token (`X-CSRF-Token` header or the `csrf` field given).
    pub async fn for_write(db: &Db, headers: &HeaderMap, csrf_field: Option<&str>) -> ApiResult<Access> {
        let access = Self::of(db, headers).await?;
        match &access.principal {
            Principal::User { .. } => {
                let header = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
                auth::check_csrf(headers, csrf_field.or(header))?;
            }
            Principal::Anonymous { session_expired: true } => {
                return Err(ApiError::Unauthorized("your session has ended: sign in again".into()));
            }
            _ => {}
        }
        Ok(access)
    }

    /// The command line on the server: it already has the database.
    pub fn system() -> Access {
        let user = UserRow {
            id: 0,
            username: "assay (command line)".into(),
            password_hash: String::new(),
            is_admin: true,
            must_change_password: false,
            created_at: db::now(),
            disabled_at: None,
        };
        Access { principal: Principal::User { user, session_id: 0 }, settings: InstanceSettings::default() }
    }

    pub fn user(&self) -> Option<&UserRow> {
        match &self.principal {
            Principal::User { user, .. } => Some(user),
            _ => None,
        }
    }

    pub fn is_instance_admin(&self) -> bool {
        self.user().is_some_and(|u| u.is_admin && !u.must_change_password)
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
            Principal::User { user, .. } if user.id == 0 => Actor::system(),
            Principal::User { user, .. } => Actor { kind: "user", id: Some(user.id), name: user.username.clone() },
            Principal::Token(t) => {
                Actor { kind: "token", id: Some(t.id), name: format!("token {} ({})", t.prefix, t.name) }
            }
            Principal::Anonymous { .. } => Actor { kind: "anonymous", id: None, name: "anonymous".into() },
        }
    }

    /// The caller's role in a project, if any.
    pub async fn role(&self, db: &Db, project: &ProjectRow) -> ApiResult<Option<Role>> {
        Ok(match &self.principal {
            Principal::User { user, .. } if user.must_change_password => None,
            Principal::User { user, .. } if user.is_admin => Some(Role::Admin),
            Principal::User { user, .. } => db::members::role(db, project.id, user.id).await?,
            Principal::Token(t) if t.project_id == project.id => {
                Some(if t.scope == db::tokens::Scope::Write.as_str() { Role::Member } else { Role::Viewer })
            }
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
            Principal::Token(_) => {
                Err(ApiError::Forbidden(format!("this API token does not belong to project '{}'", project.slug)))
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
                Principal::Token(t) if t.project_id != project.id => {
                    ApiError::Forbidden(format!("this API token does not belong to project '{}'", project.slug))
                }
                Principal::Token(_) => ApiError::Forbidden("this API token is read-only".into()),
                _ if self.password_pending() => Self::choose_password_first(),
                _ => ApiError::Forbidden(format!("this needs the {needed} role in project '{}'", project.slug)),
            }),
        }
    }

    pub fn require_signed_in(&self) -> ApiResult<&UserRow> {
        self.user().ok_or_else(|| ApiError::Unauthorized("sign in first".into()))
    }

    pub fn require_instance_admin(&self) -> ApiResult<&UserRow> {
        let user = self.require_signed_in()?;
        if self.password_pending() {
            return Err(Self::choose_password_first());
        }
        if user.is_admin { Ok(user) } else { Err(ApiError::Forbidden("only instance admins may do this".into())) }
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
