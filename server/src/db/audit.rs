//! The audit log: who changed what, when. Entries are written in the same
//! transaction as the change they record.

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_name: String,
    pub project: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: Option<String>,
}

impl AuditRow {
    pub fn into_json(self) -> shared::accounts::AuditEntry {
        shared::accounts::AuditEntry {
            id: self.id,
            at: self.at,
            actor_kind: self.actor_kind,
            actor_name: self.actor_name,
            project: self.project,
            action: self.action,
            target: self.target,
            detail: self.detail,
        }
    }
}

/// Who did something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `user`, `token` or `system`.
    pub kind: &'static str,
    pub id: Option<i64>,
    pub name: String,
}

impl Actor {
    /// The command line on the server (trusted: it has the database).
    pub fn system() -> Actor {
        Actor { kind: "system", id: None, name: "assay (command line)".into() }
    }
}

/// What was done.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub project_id: Option<i64>,
    pub action: &'a str,
    pub target: String,
    pub detail: Option<String>,
}

pub async fn record(tx: &mut Tx, actor: &Actor, e: Entry<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, project_id, action, target, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(super::now())
    .bind(actor.kind)
    .bind(actor.id)
    .bind(&actor.name)
    .bind(e.project_id)
    .bind(e.action)
    .bind(&e.target)
    .bind(&e.detail)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// Newest first; of one project, or of everything.
pub async fn list(
    db: &Db,
    project_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditRow>, i64), sqlx::Error> {
    let select = "SELECT a.id, a.at, a.actor_kind, a.actor_name, p.slug AS project, a.action, a.target, a.detail \
                  FROM audit_log a LEFT JOIN projects p ON p.id = a.project_id";
    match project_id {
        Some(pid) => {
            let sql = format!("{select} WHERE a.project_id = $1 ORDER BY a.id DESC LIMIT $2 OFFSET $3");
            let rows = on_db!(db, p => sqlx::query_as(&sql).bind(pid).bind(limit).bind(offset).fetch_all(p).await)?;
            let total = on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE project_id = $1")
                .bind(pid).fetch_one(p).await)?;
            Ok((rows, total))
        }
        None => {
            let sql = format!("{select} ORDER BY a.id DESC LIMIT $1 OFFSET $2");
            let rows = on_db!(db, p => sqlx::query_as(&sql).bind(limit).bind(offset).fetch_all(p).await)?;
            let total = on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(p).await)?;
            Ok((rows, total))
        }
    }
}
