//! Server-side sessions and sign-in attempts.

use super::users::{USER_COLUMNS, UserRow};
use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn create(
    db: &Db,
    user_id: i64,
    token_hash: &str,
    expires_at: DateTime<Utc>,
    user_agent: Option<&str>,
) -> Result<(), sqlx::Error> {
    let now = super::now();
    on_db!(db, p => sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, user_agent) VALUES ($1, $2, $3, $4, $3, $5)"
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .bind(user_agent)
    .execute(p)
    .await
    .map(|_| ()))
}

/// The live session with this token hash and its (enabled) user.
pub async fn find(db: &Db, token_hash: &str) -> Result<Option<(SessionRow, UserRow)>, sqlx::Error> {
    let user_cols: String = USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT s.id AS session_id, s.user_id AS session_user_id, s.created_at AS session_created_at, \
         s.expires_at, s.last_seen_at, {user_cols} \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL"
    );
    #[derive(sqlx::FromRow)]
    struct Joined {
        session_id: i64,
        session_user_id: i64,
        session_created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
        #[sqlx(flatten)]
        user: UserRow,
    }
    let row: Option<Joined> =
        on_db!(db, p => sqlx::query_as(&sql).bind(token_hash).bind(super::now()).fetch_optional(p).await)?;
    Ok(row.map(|j| {
        (
            SessionRow {
                id: j.session_id,
                user_id: j.session_user_id,
                created_at: j.session_created_at,
                expires_at: j.expires_at,
                last_seen_at: j.last_seen_at,
            },
            j.user,
        )
    }))
}

pub async fn touch(db: &Db, id: i64, expires_at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_db!(db, p => sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
        .bind(super::now()).bind(expires_at).bind(id).execute(p).await.map(|_| ()))
}

pub async fn revoke(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(super::now()).bind(id).execute(&mut *c).await.map(|_| ()))
}

/// Ends every session of a user (password changed, account disabled).
pub async fn revoke_user(tx: &mut Tx, user_id: i64, except: Option<i64>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3"
    )
    .bind(super::now())
    .bind(user_id)
    .bind(except.unwrap_or(-1))
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

pub async fn record_attempt(db: &Db, key: &str, success: bool) -> Result<(), sqlx::Error> {
    on_db!(db, p => sqlx::query("INSERT INTO login_attempts (key, at, success) VALUES ($1, $2, $3)")
        .bind(key).bind(super::now()).bind(success).execute(p).await.map(|_| ()))
}

/// Failed attempts for `key` since `since`.
pub async fn failures_since(db: &Db, key: &str, since: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE key = $1 AND at > $2 AND success = FALSE"
    ).bind(key).bind(since).fetch_one(p).await)
}

/// Forgets attempts older than `before`, and sessions long expired.
pub async fn prune(db: &Db, before: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_db!(db, p => sqlx::query("DELETE FROM login_attempts WHERE at < $1").bind(before).execute(p).await.map(|_| ()))?;
    on_db!(db, p => sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(before).execute(p).await.map(|_| ()))
}
