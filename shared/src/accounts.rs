//! Wire types of accounts, roles, tokens, settings and the audit log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a user may do in a project. Instance admins are `Admin` everywhere;
/// a project token with write scope acts as `Member`, a read-only one as
/// `Viewer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads the project.
    Viewer,
    /// Also uploads, locks hosts and triages.
    Member,
    /// Also manages the project, its tokens and members.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Member, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Role {
    type Error = crate::status::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl FromStr for Role {
    type Err = crate::status::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| crate::status::UnknownValue {
            kind: "role",
            value: s.to_owned(),
            expected: "viewer, member, admin",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub is_admin: bool,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// The signed-in user, as every page's header needs them (kept small:
/// the session is decoded by every page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionUser {
    pub id: i64,
    pub username: String,
    pub is_admin: bool,
    pub must_change_password: bool,
}

/// Who is looking, and the token forms must carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub user: Option<SessionUser>,
    /// The anti-CSRF token to send with every state-changing request.
    pub csrf: String,
    /// Whether visitors who are not signed in may read.
    pub anonymous_read: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it by.
    pub prefix: String,
    /// `read` or `write`.
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_by: Option<String>,
}

/// A token just created: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: String,
    pub view: TokenView,
}

/// A user just created, with the one-time password to hand over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedUser {
    pub user: UserView,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `user`, `token` or `system` (the command line).
    pub actor_kind: String,
    pub actor_name: String,
    pub project: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSettings {
    pub anonymous_read: bool,
}

impl Default for InstanceSettings {
    fn default() -> Self {
        InstanceSettings { anonymous_read: true }
    }
}

/// A project's administration page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectSettings {
    pub slug: String,
    pub name: String,
    pub archived: bool,
    pub members: Vec<MemberView>,
    pub tokens: Vec<TokenView>,
    /// Regression detection's sensitivity.
    pub detection: crate::perf::alerts::ProjectSensitivity,
    /// The flaky-test rules.
    #[serde(default)]
    pub flaky: crate::analytics::flaky::FlakyRules,
    /// Hawk credentials for Treeherder's door.
    #[serde(default)]
    pub hawk: Vec<crate::treeherder::HawkCredential>,
}

/// What the signed-in user may do in a project (the UI shows only that;
/// the server checks again on every request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Abilities {
    pub upload: bool,
    pub manage: bool,
}

/// A new password must be 10-1024 characters: long enough to resist
/// guessing, short enough not to be an argon2 denial of service.
pub fn check_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 10 {
        return Err("the password must be at least 10 characters long".into());
    }
    if n > 1024 {
        return Err("the password must be at most 1024 characters long".into());
    }
    Ok(())
}

/// A username: 1-64 characters, no control characters, no surrounding
/// spaces. Anything else is allowed (and always shown escaped).
pub fn check_username(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the username must not be empty".into());
    }
    if name.trim() != name {
        return Err("the username must not start or end with spaces".into());
    }
    if name.chars().count() > 64 {
        return Err("the username must be at most 64 characters long".into());
    }
    if name.chars().any(char::is_control) {
        return Err("the username must not contain control characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_order_and_parse() {
        assert!(Role::Viewer < Role::Member && Role::Member < Role::Admin);
        assert_eq!("member".parse::<Role>(), Ok(Role::Member));
        assert!("owner".parse::<Role>().unwrap_err().to_string().contains("'owner'"));
    }

    #[test]
    fn passwords_and_usernames() {
        assert!(check_password("short").is_err());
        assert!(check_password("long enough pass").is_ok());
        assert!(check_username("<script>alert(1)</script>").is_ok());
        assert!(check_username(" padded").is_err());
        assert!(check_username("").is_err());
        assert!(check_username("a\u{7}b").is_err());
    }
}
