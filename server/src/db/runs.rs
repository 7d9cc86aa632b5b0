//! Runs: one CI pipeline, build or push.

use super::rows::CountsRow;
use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use shared::model::CreateRun;
use shared::model::RunSummary;
use shared::status::JobFacts;
use shared::{Counts, RunStatus};

pub const RUN_COLUMNS: &str = "id, project_id, name, revision, branch, author, url, status, job_count, \
    total, passed, failed, errors, skipped, flaky, duration_s, quarantined, started_at, created_at, updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub revision: Option<String>,
    pub branch: Option<String>,
    pub author: Option<String>,
    pub url: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: RunStatus,
    pub job_count: i64,
    #[sqlx(flatten)]
    pub counts: CountsRow,
    pub started_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RunRow {
    pub fn into_json(self, project_slug: &str) -> RunSummary {
        RunSummary {
            id: self.id,
            project: project_slug.to_owned(),
            name: self.name,
            revision: self.revision,
            branch: self.branch,
            author: self.author,
            url: self.url,
            status: self.status,
            counts: self.counts.into(),
            job_count: self.job_count,
            started_at: self.started_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// A run by name, or else by numeric id, within a project. Names win:
/// CI systems often name runs by a build number.
pub async fn find(db: &Db, project_id: i64, ident: &str) -> Result<Option<RunRow>, sqlx::Error> {
    let by_name = format!("SELECT {RUN_COLUMNS} FROM runs WHERE project_id = $1 AND name = $2");
    let row: Option<RunRow> =
        on_db!(db, p => sqlx::query_as(&by_name).bind(project_id).bind(ident).fetch_optional(p).await)?;
    if row.is_some() {
        return Ok(row);
    }
    match ident.parse::<i64>() {
        Ok(id) => {
            let by_id = format!("SELECT {RUN_COLUMNS} FROM runs WHERE project_id = $1 AND id = $2");
            on_db!(db, p => sqlx::query_as(&by_id).bind(project_id).bind(id).fetch_optional(p).await)
        }
        Err(_) => Ok(None),
    }
}

pub async fn by_id(db: &Db, project_id: i64, id: i64) -> Result<Option<RunRow>, sqlx::Error> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE project_id = $1 AND id = $2");
    on_db!(db, p => sqlx::query_as(&sql).bind(project_id).bind(id).fetch_optional(p).await)
}

/// [`by_id`] in a transaction.
pub async fn by_id_in(tx: &mut Tx, project_id: i64, id: i64) -> Result<Option<RunRow>, sqlx::Error> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE project_id = $1 AND id = $2");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(project_id).bind(id).fetch_optional(&mut *c).await)
}

/// A run by its id alone (the caller checks its project may be read).
pub async fn by_global_id(db: &Db, id: i64) -> Result<Option<RunRow>, sqlx::Error> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1");
    on_db!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
}

/// Inserts the run, or returns the existing one of that name
/// (`created` says which).
pub async fn insert_or_get(tx: &mut Tx, project_id: i64, req: &CreateRun) -> Result<(RunRow, bool), sqlx::Error> {
    let now = super::now();
    let insert = format!(
        "INSERT INTO runs (project_id, name, revision, branch, author, url, started_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (project_id, name) DO NOTHING RETURNING {RUN_COLUMNS}"
    );
    let created: Option<RunRow> = on_tx!(tx, c => sqlx::query_as(&insert)
        .bind(project_id)
        .bind(&req.name)
        .bind(&req.revision)
        .bind(&req.branch)
        .bind(&req.author)
        .bind(&req.url)
        .bind(req.started_at)
        .bind(now)
        .fetch_optional(&mut *c)
        .await)?;
    if let Some(row) = created {
        return Ok((row, true));
    }
    let select = format!("SELECT {RUN_COLUMNS} FROM runs WHERE project_id = $1 AND name = $2");
    let row = on_tx!(tx, c => sqlx::query_as(&select).bind(project_id).bind(&req.name).fetch_one(&mut *c).await)?;
    Ok((row, false))
}

/// Fills fields the run does not have yet; never overwrites.
pub async fn fill_missing(tx: &mut Tx, run_id: i64, req: &CreateRun) -> Result<RunRow, sqlx::Error> {
    let sql = format!(
        "UPDATE runs SET revision = COALESCE(revision, $1), branch = COALESCE(branch, $2), \
         author = COALESCE(author, $3), url = COALESCE(url, $4), started_at = COALESCE(started_at, $5) \
         WHERE id = $6 RETURNING {RUN_COLUMNS}"
    );
    on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(&req.revision)
        .bind(&req.branch)
        .bind(&req.author)
        .bind(&req.url)
        .bind(req.started_at)
        .bind(run_id)
        .fetch_one(&mut *c)
        .await)
}

/// One page of a project's runs, newest first, and how many there are.
pub async fn list(
    db: &Db,
    project_id: i64,
    branch: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RunRow>, i64), sqlx::Error> {
    match branch {
        Some(branch) => {
            let sql = format!(
                "SELECT {RUN_COLUMNS} FROM runs WHERE project_id = $1 AND branch = $2 ORDER BY id DESC LIMIT $3 OFFSET $4"
            );
            let rows = on_db!(db, p => sqlx::query_as(&sql).bind(project_id).bind(branch).bind(limit).bind(offset).fetch_all(p).await)?;
            let total: i64 = on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM runs WHERE project_id = $1 AND branch = $2")
                .bind(project_id).bind(branch).fetch_one(p).await)?;
            Ok((rows, total))
        }
        None => {
            let sql =
                format!("SELECT {RUN_COLUMNS} FROM runs WHERE project_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3");
            let rows =
                on_db!(db, p => sqlx::query_as(&sql).bind(project_id).bind(limit).bind(offset).fetch_all(p).await)?;
            let total: i64 = on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM runs WHERE project_id = $1")
                .bind(project_id).fetch_one(p).await)?;
            Ok((rows, total))
        }
    }
}

/// The branches a project's runs are on, most recently used first.
pub async fn branches(db: &Db, project_id: i64) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar(
        "SELECT branch FROM runs WHERE project_id = $1 AND branch IS NOT NULL GROUP BY branch ORDER BY MAX(id) DESC LIMIT 100"
    ).bind(project_id).fetch_all(p).await)
}

pub async fn add_counts(tx: &mut Tx, run_id: i64, c: &Counts) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE runs SET total = total + $1, passed = passed + $2, failed = failed + $3, errors = errors + $4, \
         skipped = skipped + $5, flaky = flaky + $6, duration_s = duration_s + $7, updated_at = $8, \
         quarantined = quarantined + $10 WHERE id = $9",
    )
    .bind(c.total)
    .bind(c.passed)
    .bind(c.failed)
    .bind(c.errors)
    .bind(c.skipped)
    .bind(c.flaky)
    .bind(c.duration_s)
    .bind(super::now())
    .bind(run_id)
    .bind(c.quarantined)
    .execute(&mut *conn)
    .await.map(|_| ()))?;
    Ok(())
}

/// Re-derives the run's status and job count from its jobs.
pub async fn refresh_status(tx: &mut Tx, run_id: i64) -> Result<RunStatus, sqlx::Error> {
    let jobs: Vec<(String, String, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT state, result, failed + errors - quarantined + trace_failed FROM jobs WHERE run_id = $1"
    ).bind(run_id).fetch_all(&mut *c).await)?;
    let count = jobs.len() as i64;
    let facts = jobs
        .into_iter()
        .map(|(state, result, bad)| {
            Ok(JobFacts {
                state: state.parse().map_err(|e| super::decode_error("jobs.state", e))?,
                result: result.parse().map_err(|e| super::decode_error("jobs.result", e))?,
                bad_tests: bad,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let status = RunStatus::derive(facts);
    on_tx!(tx, c => sqlx::query("UPDATE runs SET status = $1, job_count = $2, updated_at = $3 WHERE id = $4")
        .bind(status.as_str())
        .bind(count)
        .bind(super::now())
        .bind(run_id)
        .execute(&mut *c)
        .await.map(|_| ()))?;
    Ok(status)
}

pub async fn counts(db: &Db, run_id: i64) -> Result<Counts, sqlx::Error> {
    let sql = format!("SELECT {} FROM runs WHERE id = $1", super::rows::COUNT_COLUMNS);
    let row: CountsRow = on_db!(db, p => sqlx::query_as(&sql).bind(run_id).fetch_one(p).await)?;
    Ok(row.into())
}
