//! Hawk credentials and the nonces seen (see migrations/*/0015_treeherder.sql).

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HawkRow {
    pub id: i64,
    pub project_id: i64,
    pub client_id: String,
    pub secret_sealed: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub creator: Option<String>,
}

const COLUMNS: &str = "h.id, h.project_id, h.client_id, h.secret_sealed, h.created_at, h.last_used_at, h.revoked_at, \
    u.username AS creator";
const FROM: &str = "hawk_credentials h LEFT JOIN users u ON u.id = h.created_by";

pub async fn create(
    tx: &mut Tx,
    project_id: i64,
    client_id: &str,
    sealed: &str,
    created_by: Option<i64>,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO hawk_credentials (project_id, client_id, secret_sealed, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(project_id).bind(client_id).bind(sealed).bind(created_by).bind(super::now())
        .fetch_one(&mut *c).await)
}

/// A project's credentials, newest first.
pub async fn list(db: &Db, project_id: i64) -> Result<Vec<HawkRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE h.project_id = $1 ORDER BY h.id DESC");
    on_db!(db, p => sqlx::query_as(&sql).bind(project_id).fetch_all(p).await)
}

/// A live (not revoked) credential by its client id.
pub async fn live(db: &Db, client_id: &str) -> Result<Option<HawkRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE h.client_id = $1 AND h.revoked_at IS NULL");
    on_db!(db, p => sqlx::query_as(&sql).bind(client_id).fetch_optional(p).await)
}

/// Revokes a project's live credential; answers whether there was one.
pub async fn revoke(tx: &mut Tx, project_id: i64, client_id: &str) -> Result<bool, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE hawk_credentials SET revoked_at = $3 WHERE project_id = $1 AND client_id = $2 AND revoked_at IS NULL")
        .bind(project_id).bind(client_id).bind(super::now())
        .execute(&mut *c).await.map(|r| r.rows_affected() == 1))
}

/// Records a request's nonce; `false` when the client used it before with
/// that timestamp (a replay). Nonces older than `keep` are forgotten:
/// requests that old fail the timestamp check anyway.
pub async fn first_use(
    db: &Db,
    credential_id: i64,
    nonce: &str,
    ts: i64,
    keep: chrono::Duration,
) -> Result<bool, sqlx::Error> {
    let now = super::now();
    let added = on_db!(db, p => sqlx::query(
        "INSERT INTO hawk_nonces (credential_id, nonce, ts, seen_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(credential_id).bind(nonce).bind(ts).bind(now)
        .execute(p).await.map(|r| r.rows_affected() == 1))?;
    if added {
        on_db!(db, p => sqlx::query(
            "UPDATE hawk_credentials SET last_used_at = $2 WHERE id = $1")
            .bind(credential_id).bind(now).execute(p).await.map(|_| ()))?;
        on_db!(db, p => sqlx::query("DELETE FROM hawk_nonces WHERE seen_at < $1")
            .bind(now - keep).execute(p).await.map(|_| ()))?;
    }
    Ok(added)
}
