//! Who is making a request: a signed-in user (session cookie), a project
//! API token (bearer), or nobody. Permission checks live in
//! [`crate::service::access`].

pub mod cookies;
pub mod hawk;
pub mod password;

use crate::db::rows::{TokenRow, UserRow};
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use axum::http::HeaderMap;
use chrono::Duration;

/// How long a session lives without use…
pub const SESSION_IDLE: Duration = Duration::days(14);
/// …and at most, however much it is used (also the cookie's lifetime, so
/// the browser keeps it while the server does).
pub const SESSION_LIFETIME: Duration = Duration::days(90);

/// Who a request comes from, resolved once per request (see
/// [`crate::api::extract::Reader`]) and handed to REST handlers and UI
/// server functions alike.
#[derive(Debug, Clone)]
pub enum Principal {
    Anonymous {
        /// A session cookie was sent but its session is over.
        session_expired: bool,
    },
    User {
        user: UserRow,
        session_id: i64,
    },
    /// A credential scoped to one project. API tokens today; the front
    /// doors' Hawk credentials, HTTP Basic passwords and webhook secrets
    /// take the same shape with their own [`CredentialKind`].
    Credential(Credential),
    /// A process acting as itself, not for a user: the command line on the
    /// server (`project_id: None`, instance-wide), or a named service such
    /// as a queue consumer acting for one project.
    Service {
        name: String,
        project_id: Option<i64>,
    },
}

/// What kind of secret a [`Credential`] was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// `Authorization: Bearer assay_…`
    Token,
    /// A Hawk client id (Treeherder's door).
    Hawk,
}

impl CredentialKind {
    /// The audit log's `actor_kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Token => "token",
            CredentialKind::Hawk => "hawk",
        }
    }

    /// How messages name it.
    pub fn noun(self) -> &'static str {
        match self {
            CredentialKind::Token => "API token",
            CredentialKind::Hawk => "Hawk credential",
        }
    }
}

/// A project-scoped credential that a request presented.
#[derive(Debug, Clone)]
pub struct Credential {
    pub kind: CredentialKind,
    /// The credential's row id (in its kind's table).
    pub id: i64,
    pub project_id: i64,
    /// Uploads and other member writes; else reads only.
    pub write: bool,
    /// How the audit log names it, e.g. "token assay_abc123 (ci)".
    pub label: String,
}

impl Credential {
    pub fn from_token(t: &TokenRow) -> Credential {
        Credential {
            kind: CredentialKind::Token,
            id: t.id,
            project_id: t.project_id,
            write: t.scope == db::tokens::Scope::Write,
            label: format!("token {} ({})", t.prefix, t.name),
        }
    }
}

/// Reads the bearer token or the session cookie. An `Authorization`
/// header that is not a valid token is an error (401), never a silent
/// fall-back to anonymous.
pub async fn principal(db: &Db, headers: &HeaderMap) -> ApiResult<Principal> {
    if let Some(value) = headers.get(axum::http::header::AUTHORIZATION) {
        let value =
            value.to_str().map_err(|_| ApiError::Unauthorized("the Authorization header is not valid text".into()))?;
        let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
        let (token, basic_user) = if scheme.eq_ignore_ascii_case("basic") {
            let (user, password) = basic(token)?;
            (password, Some(user))
        } else if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() {
            (token.trim().to_owned(), None)
        } else {
            return Err(ApiError::Unauthorized(
                "use Authorization: Bearer <token>, or HTTP Basic with the project as user and a token as password"
                    .into(),
            ));
        };
        let row = db::tokens::find(db, &token)
            .await?
            .ok_or_else(|| ApiError::Unauthorized("the API token is not valid (unknown or revoked)".into()))?;
        // Clients that can only put credentials in a URL (teuthology's
        // `results_server`, perftrackerlib's server URL) send HTTP Basic:
        // the user names the token's project, so a token pasted into the
        // wrong project's URL is refused rather than writing elsewhere.
        if let Some(user) = basic_user.filter(|u| !u.is_empty()) {
            let project = db::projects::by_id(db, row.project_id).await?;
            if project.is_none_or(|p| p.slug != user) {
                return Err(ApiError::Unauthorized(format!(
                    "the token given as password is not a token of project '{user}' (the user name)"
                )));
            }
        }
        // Last use to the minute: a write per request would queue every
        // API call behind the writer on SQLite.
        let stale = row.last_used_at.is_none_or(|t| db::now() - t > Duration::minutes(1));
        if stale && let Err(e) = db::tokens::touch(db, row.id).await {
            tracing::warn!("could not record token use: {e}");
        }
        return Ok(Principal::Credential(Credential::from_token(&row)));
    }
    let Some(cookie) = cookies::get(headers, cookies::SESSION) else {
        return Ok(Principal::Anonymous { session_expired: false });
    };
    match db::sessions::find(db, &db::tokens::hash(&cookie)).await? {
        Some((session, user)) => {
            // Sliding expiry, written at most every ten minutes.
            let now = db::now();
            if now - session.last_seen_at > Duration::minutes(10)
                && let Err(e) =
                    db::sessions::touch(db, session.id, (now + SESSION_IDLE).min(session.created_at + SESSION_LIFETIME))
                        .await
            {
                tracing::warn!("could not extend session: {e}");
            }
            Ok(Principal::User { user, session_id: session.id })
        }
        None => Ok(Principal::Anonymous { session_expired: true }),
    }
}

/// `user:password` of an HTTP Basic `Authorization` header.
fn basic(encoded: &str) -> ApiResult<(String, String)> {
    use base64::Engine;
    let bad = || ApiError::Unauthorized("the HTTP Basic credentials are not base64 of user:password".into());
    let raw = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (user, password) = text.split_once(':').ok_or_else(bad)?;
    if password.trim().is_empty() {
        return Err(ApiError::Unauthorized("HTTP Basic needs an API token as the password".into()));
    }
    Ok((user.trim().to_owned(), password.trim().to_owned()))
}

/// The double-submit check: the token sent with the request (form field or
/// `X-CSRF-Token` header) must equal the `assay_csrf` cookie. A cross-site
/// page can make the browser send the cookie, but cannot read it.
pub fn check_csrf(headers: &HeaderMap, presented: Option<&str>) -> ApiResult<()> {
    let cookie = cookies::get(headers, cookies::CSRF);
    match (cookie.as_deref(), presented) {
        (Some(c), Some(p)) if !c.is_empty() && constant_time_eq(c.as_bytes(), p.as_bytes()) => Ok(()),
        _ => Err(ApiError::Forbidden("missing or wrong CSRF token: reload the page and try again".into())),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client's address: the socket peer; behind a trusted reverse proxy
/// (`trust_proxy`), the last `X-Forwarded-For` hop, which that proxy wrote
/// (earlier hops come from the client and prove nothing).
pub fn client_ip(headers: &HeaderMap, peer: Option<std::net::SocketAddr>, trust_proxy: bool) -> String {
    let forwarded = || {
        let all = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        all.flat_map(|v| v.split(',')).map(str::trim).rfind(|v| !v.is_empty()).map(str::to_owned)
    };
    trust_proxy
        .then(forwarded)
        .flatten()
        .or_else(|| peer.map(|p| p.ip().to_string()))
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_needs_the_cookie_and_an_equal_token() {
        let mut h = HeaderMap::new();
        assert!(check_csrf(&h, Some("abc")).is_err());
        h.insert("cookie", "other=1; assay_csrf=abc".parse().unwrap());
        assert!(check_csrf(&h, Some("abc")).is_ok());
        assert!(check_csrf(&h, Some("abd")).is_err());
        assert!(check_csrf(&h, None).is_err());
    }

    #[test]
    fn client_ip_trusts_the_proxy_header_only_when_told() {
        let mut h = HeaderMap::new();
        let peer = Some("10.0.0.9:4000".parse().unwrap());
        assert_eq!(client_ip(&h, peer, true), "10.0.0.9");
        h.insert("x-forwarded-for", "198.51.100.1, 203.0.113.7".parse().unwrap());
        assert_eq!(client_ip(&h, peer, false), "10.0.0.9", "a client can send the header itself");
        assert_eq!(client_ip(&h, peer, true), "203.0.113.7", "the hop our proxy added");
    }
}
