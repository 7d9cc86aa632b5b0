//! Annotations on a project's graphs (see migrations/*/0009_perf_annotations.sql).

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnnotationRow {
    pub id: i64,
    pub project_id: i64,
    pub at: DateTime<Utc>,
    pub text: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A project's annotations, by time (at most 1,000, the latest).
pub async fn list(db: &Db, project_id: i64) -> Result<Vec<AnnotationRow>, sqlx::Error> {
    let mut rows: Vec<AnnotationRow> = on_db!(db, p => sqlx::query_as(
        "SELECT id, project_id, at, text, created_by, created_at FROM perf_annotations WHERE project_id = $1 \
         ORDER BY at DESC, id DESC LIMIT 1000")
        .bind(project_id).fetch_all(p).await)?;
    rows.reverse();
    Ok(rows)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<AnnotationRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT id, project_id, at, text, created_by, created_at FROM perf_annotations WHERE id = $1")
        .bind(id).fetch_optional(p).await)
}

pub async fn insert(
    tx: &mut Tx,
    project_id: i64,
    at: DateTime<Utc>,
    text: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<AnnotationRow, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "INSERT INTO perf_annotations (project_id, at, text, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, project_id, at, text, created_by, created_at")
        .bind(project_id).bind(at).bind(text).bind(by).bind(now).fetch_one(&mut *c).await)
}

pub async fn delete(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM perf_annotations WHERE id = $1").bind(id).execute(&mut *c).await.map(|_| ()))
}
