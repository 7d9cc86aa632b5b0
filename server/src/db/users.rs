//! Local user accounts.

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};

pub const USER_COLUMNS: &str = "id, username, password_hash, is_admin, must_change_password, created_at, disabled_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl UserRow {
    pub fn into_json(self) -> shared::accounts::UserView {
        shared::accounts::UserView {
            id: self.id,
            username: self.username,
            is_admin: self.is_admin,
            must_change_password: self.must_change_password,
            disabled: self.disabled_at.is_some(),
            created_at: self.created_at,
        }
    }
}

pub async fn create(
    tx: &mut Tx,
    username: &str,
    password_hash: &str,
    is_admin: bool,
    must_change_password: bool,
) -> Result<UserRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO users (username, password_hash, is_admin, must_change_password, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {USER_COLUMNS}"
    );
    on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(username)
        .bind(password_hash)
        .bind(is_admin)
        .bind(must_change_password)
        .bind(super::now())
        .fetch_one(&mut *c)
        .await)
}

/// The user with this name, whatever its case.
pub async fn by_name(db: &Db, username: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE lower(username) = lower($1)");
    on_db!(db, p => sqlx::query_as(&sql).bind(username).fetch_optional(p).await)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    on_db!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
}

pub async fn list(db: &Db) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY lower(username)");
    on_db!(db, p => sqlx::query_as(&sql).fetch_all(p).await)
}

pub async fn set_password(tx: &mut Tx, id: i64, hash: &str, must_change: bool) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
        .bind(hash).bind(must_change).bind(id).execute(&mut *c).await.map(|_| ()))
}

pub async fn set_admin(tx: &mut Tx, id: i64, is_admin: bool) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE users SET is_admin = $1 WHERE id = $2")
        .bind(is_admin).bind(id).execute(&mut *c).await.map(|_| ()))
}

pub async fn set_disabled(tx: &mut Tx, id: i64, disabled: bool) -> Result<(), sqlx::Error> {
    let at = disabled.then(super::now);
    on_tx!(tx, c => sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
        .bind(at).bind(id).execute(&mut *c).await.map(|_| ()))
}

/// Enabled instance admins.
pub async fn admin_count(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE is_admin = TRUE AND disabled_at IS NULL")
        .fetch_one(&mut *c).await)
}
