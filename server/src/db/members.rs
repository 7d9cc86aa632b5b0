//! Project members and their roles.

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use shared::accounts::Role;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: i64,
    pub username: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl MemberRow {
    pub fn into_json(self) -> shared::accounts::MemberView {
        shared::accounts::MemberView {
            user_id: self.user_id,
            role: self.role,
            username: self.username,
            since: self.created_at,
        }
    }
}

pub async fn set(tx: &mut Tx, project_id: i64, user_id: i64, role: Role) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO project_members (project_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role"
    )
    .bind(project_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(super::now())
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// Removes a member; false if they were not one.
pub async fn remove(tx: &mut Tx, project_id: i64, user_id: i64) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM project_members WHERE project_id = $1 AND user_id = $2")
        .bind(project_id).bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn list(db: &Db, project_id: i64) -> Result<Vec<MemberRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT m.user_id, u.username, m.role, m.created_at FROM project_members m JOIN users u ON u.id = m.user_id \
         WHERE m.project_id = $1 ORDER BY lower(u.username)"
    ).bind(project_id).fetch_all(p).await)
}

pub async fn role(db: &Db, project_id: i64, user_id: i64) -> Result<Option<Role>, sqlx::Error> {
    let role: Option<String> = on_db!(db, p => sqlx::query_scalar(
        "SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2"
    ).bind(project_id).bind(user_id).fetch_optional(p).await)?;
    role.map(|r| r.parse().map_err(|e| super::decode_error("project_members.role", e))).transpose()
}

/// Projects a user is a member of.
pub async fn projects_of(db: &Db, user_id: i64) -> Result<Vec<(i64, Role)>, sqlx::Error> {
    let rows: Vec<(i64, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT project_id, role FROM project_members WHERE user_id = $1"
    ).bind(user_id).fetch_all(p).await)?;
    rows.into_iter()
        .map(|(id, r)| r.parse().map(|r| (id, r)).map_err(|e| super::decode_error("project_members.role", e)))
        .collect()
}
