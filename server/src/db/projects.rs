//! Projects.

use super::runs::{RUN_COLUMNS, RunRow};
use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use shared::model::{Project, RunSummary};

pub const PROJECT_COLUMNS: &str = "id, slug, name, created_at, archived_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

impl ProjectRow {
    pub fn into_json(self, run_count: i64, latest_run: Option<RunSummary>) -> Project {
        Project {
            id: self.id,
            slug: self.slug,
            name: self.name,
            created_at: self.created_at,
            run_count,
            latest_run,
            archived: self.archived_at.is_some(),
        }
    }
}

pub async fn create(tx: &mut Tx, slug: &str, name: &str) -> Result<ProjectRow, sqlx::Error> {
    let sql = format!("INSERT INTO projects (slug, name, created_at) VALUES ($1, $2, $3) RETURNING {PROJECT_COLUMNS}");
    on_tx!(tx, c => sqlx::query_as::<_, ProjectRow>(&sql)
        .bind(slug)
        .bind(name)
        .bind(super::now())
        .fetch_one(&mut *c)
        .await)
}

pub async fn rename(tx: &mut Tx, id: i64, name: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE projects SET name = $1 WHERE id = $2")
        .bind(name).bind(id).execute(&mut *c).await.map(|_| ()))
}

pub async fn set_archived(tx: &mut Tx, id: i64, archived: bool) -> Result<(), sqlx::Error> {
    let at = archived.then(super::now);
    on_tx!(tx, c => sqlx::query("UPDATE projects SET archived_at = $1 WHERE id = $2")
        .bind(at).bind(id).execute(&mut *c).await.map(|_| ()))
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<ProjectRow>, sqlx::Error> {
    let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE id = $1");
    on_db!(db, p => sqlx::query_as::<_, ProjectRow>(&sql).bind(id).fetch_optional(p).await)
}

pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<ProjectRow>, sqlx::Error> {
    let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE slug = $1");
    on_db!(db, p => sqlx::query_as::<_, ProjectRow>(&sql).bind(slug).fetch_optional(p).await)
}

/// Every project with its run count and newest run.
pub async fn list(db: &Db) -> Result<Vec<(ProjectRow, i64, Option<RunRow>)>, sqlx::Error> {
    let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects ORDER BY slug");
    let projects: Vec<ProjectRow> = on_db!(db, p => sqlx::query_as(&sql).fetch_all(p).await)?;
    let counts: Vec<(i64, i64)> = on_db!(db, p => sqlx::query_as(
        "SELECT project_id, COUNT(*) FROM runs GROUP BY project_id"
    ).fetch_all(p).await)?;
    let latest_sql =
        format!("SELECT {RUN_COLUMNS} FROM runs WHERE id IN (SELECT MAX(id) FROM runs GROUP BY project_id)");
    let latest: Vec<RunRow> = on_db!(db, p => sqlx::query_as(&latest_sql).fetch_all(p).await)?;
    Ok(projects
        .into_iter()
        .map(|proj| {
            let count = counts.iter().find(|(id, _)| *id == proj.id).map_or(0, |c| c.1);
            let run = latest.iter().find(|r| r.project_id == proj.id).cloned();
            (proj, count, run)
        })
        .collect())
}
