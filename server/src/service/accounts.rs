//! Users: creating them, signing in and out, passwords.

use super::access::Access;
use crate::auth::{self, cookies, password};
use crate::db::audit::{self, Entry};
use crate::db::rows::UserRow;
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use shared::accounts::{CreatedUser, check_password, check_username};

/// Failed sign-ins allowed in [`RATE_WINDOW_MINUTES`] before further
/// attempts are refused: for one username from one address, from one
/// address for any usernames, and for one username from all addresses
/// together. The tight limit is on the pair, so that nobody can lock a
/// user out by failing on purpose from their own machine; the loose one
/// per username still stops guessing spread over many addresses.
pub const MAX_FAILURES_PER_USER_AND_IP: i64 = 10;
pub const MAX_FAILURES_PER_IP: i64 = 50;
pub const MAX_FAILURES_PER_USER: i64 = 100;
pub const RATE_WINDOW_MINUTES: i64 = 15;

/// The key under which failed sign-ins for `username` from all addresses
/// are counted.
pub fn user_key(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase())
}

/// A new session: the cookie's secret and its row's user.
pub struct SignedIn {
    pub token: String,
    pub user: UserRow,
}

/// Checks a username and password and opens a session. Failures look the
/// same whether the user exists or not, and are rate-limited per username
/// and per client address (in the database, so across server instances).
pub async fn login(db: &Db, username: &str, password: &str, ip: &str, user_agent: Option<&str>) -> ApiResult<SignedIn> {
    let now = db::now();
    let since = now - chrono::Duration::minutes(RATE_WINDOW_MINUTES);
    let user_key = user_key(username);
    let keys = [
        (format!("{user_key} ip:{ip}"), MAX_FAILURES_PER_USER_AND_IP),
        (format!("ip:{ip}"), MAX_FAILURES_PER_IP),
        (user_key, MAX_FAILURES_PER_USER),
    ];
    for (key, limit) in &keys {
        if db::sessions::failures_since(db, key, since).await? >= *limit {
            return Err(ApiError::TooManyRequests(format!(
                "too many failed sign-ins; try again in {RATE_WINDOW_MINUTES} minutes"
            )));
        }
    }
    let user = db::users::by_name(db, username.trim()).await?;
    // Verify against a real hash even for unknown users, so that timing
    // does not tell which usernames exist.
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => dummy_hash().await?,
    };
    let matches = password::verify(password.to_owned(), hash).await?;
    let ok = matches && user.as_ref().is_some_and(|u| u.disabled_at.is_none());
    for (key, _) in &keys {
        db::sessions::record_attempt(db, key, ok).await?;
    }
    if !ok {
        return Err(ApiError::Unauthorized("wrong username or password".into()));
    }
    let user = user.expect("checked above");
    let token = cookies::random_token();
    db::sessions::create(db, user.id, &db::tokens::hash(&token), now + auth::SESSION_IDLE, user_agent).await?;
    let mut tx = db.begin_write().await?;
    let entry = Entry {
        project_id: None,
        action: "session.login",
        target: user.username.clone(),
        detail: Some(format!("from {ip}")),
    };
    let actor = db::audit::Actor { kind: "user", id: Some(user.id), name: user.username.clone() };
    audit::record(&mut tx, &actor, entry).await?;
    tx.commit().await?;
    if let Err(e) = db::sessions::prune(db, now - chrono::Duration::days(1)).await {
        tracing::warn!("pruning old sessions: {e}");
    }
    Ok(SignedIn { token, user })
}

/// An Argon2id hash of a random password, made once, to verify against
/// when the username is unknown.
async fn dummy_hash() -> ApiResult<String> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY.get_or_try_init(|| password::hash(password::generate())).await.cloned()
}

/// Ends the session of this cookie, if it is live.
pub async fn logout(db: &Db, session_cookie: Option<&str>) -> ApiResult<()> {
    let Some(token) = session_cookie else { return Ok(()) };
    let Some((session, user)) = db::sessions::find(db, &db::tokens::hash(token)).await? else { return Ok(()) };
    let mut tx = db.begin_write().await?;
    db::sessions::revoke(&mut tx, session.id).await?;
    let entry = Entry { project_id: None, action: "session.logout", target: user.username.clone(), detail: None };
    let actor = db::audit::Actor { kind: "user", id: Some(user.id), name: user.username };
    audit::record(&mut tx, &actor, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the signed-in user's own password; other sessions end.
pub async fn change_password(db: &Db, access: &Access, current: &str, new: &str) -> ApiResult<()> {
    let user = access.require_signed_in()?.clone();
    if !password::verify(current.to_owned(), user.password_hash.clone()).await? {
        return Err(ApiError::BadRequest("the current password is wrong".into()));
    }
    check_password(new).map_err(ApiError::BadRequest)?;
    if new == current {
        return Err(ApiError::BadRequest("the new password must differ from the current one".into()));
    }
    let hash = password::hash(new.to_owned()).await?;
    let session = match &access.principal {
        auth::Principal::User { session_id, .. } => Some(*session_id),
        _ => None,
    };
    let mut tx = db.begin_write().await?;
    db::users::set_password(&mut tx, user.id, &hash, false).await?;
    db::sessions::revoke_user(&mut tx, user.id, session).await?;
    let entry = Entry { project_id: None, action: "user.password", target: user.username.clone(), detail: None };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates a user (instance admins, and the command line). Without a
/// password, a random one is made; either way the user must choose their
/// own at first sign-in, unless `password` came from the user themselves
/// (`keep`).
pub async fn create_user(
    db: &Db,
    access: &Access,
    username: &str,
    is_admin: bool,
    password: Option<String>,
) -> ApiResult<CreatedUser> {
    access.require_instance_admin()?;
    check_username(username).map_err(ApiError::BadRequest)?;
    let (password, must_change) = match password {
        Some(p) => {
            check_password(&p).map_err(ApiError::BadRequest)?;
            (p, false)
        }
        None => (password::generate(), true),
    };
    let hash = password::hash(password.clone()).await?;
    let mut tx = db.begin_write().await?;
    let user = match db::users::create(&mut tx, username, &hash, is_admin, must_change).await {
        Ok(u) => u,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(ApiError::Conflict(format!("a user named '{username}' already exists")));
        }
        Err(e) => return Err(e.into()),
    };
    let detail = is_admin.then(|| "instance admin".to_owned());
    let entry = Entry { project_id: None, action: "user.create", target: user.username.clone(), detail };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(CreatedUser { user: user.into_json(), password })
}

/// Grants or removes instance admin; the last enabled admin stays one.
pub async fn set_admin(db: &Db, access: &Access, user_id: i64, is_admin: bool) -> ApiResult<()> {
    access.require_instance_admin()?;
    let user = db::users::by_id(db, user_id).await?.ok_or_else(|| ApiError::not_found(format!("user {user_id}")))?;
    let mut tx = db.begin_write().await?;
    db::users::set_admin(&mut tx, user.id, is_admin).await?;
    if db::users::admin_count(&mut tx).await? == 0 {
        return Err(ApiError::Conflict("there must be at least one instance admin".into()));
    }
    let entry = Entry {
        project_id: None,
        action: "user.admin",
        target: user.username.clone(),
        detail: Some(if is_admin { "granted" } else { "removed" }.into()),
    };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables (or re-enables) an account; a disabled user's sessions end.
pub async fn set_disabled(db: &Db, access: &Access, user_id: i64, disabled: bool) -> ApiResult<()> {
    let me = access.require_instance_admin()?;
    if me.is_some_and(|me| me.id == user_id) && disabled {
        return Err(ApiError::BadRequest("you cannot disable your own account".into()));
    }
    let user = db::users::by_id(db, user_id).await?.ok_or_else(|| ApiError::not_found(format!("user {user_id}")))?;
    let mut tx = db.begin_write().await?;
    db::users::set_disabled(&mut tx, user.id, disabled).await?;
    if disabled {
        db::sessions::revoke_user(&mut tx, user.id, None).await?;
        if db::users::admin_count(&mut tx).await? == 0 {
            return Err(ApiError::Conflict("there must be at least one enabled instance admin".into()));
        }
    }
    let entry = Entry {
        project_id: None,
        action: "user.disable",
        target: user.username.clone(),
        detail: Some(if disabled { "disabled" } else { "enabled" }.into()),
    };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn users(db: &Db, access: &Access) -> ApiResult<Vec<shared::accounts::UserView>> {
    access.require_instance_admin()?;
    Ok(db::users::list(db).await?.into_iter().map(UserRow::into_json).collect())
}
