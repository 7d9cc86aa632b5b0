//! Logs to parse for their error lines, and what their parse found (see
//! migrations/*/0016_log_parses.sql and `service::logs`).

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};

const COLUMNS: &str = "id, project_id, job_id, name, url, artifact_id, state, attempts, error, bytes, lines, errors, \
    created_at, finished_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParseRow {
    pub id: i64,
    pub project_id: i64,
    pub job_id: i64,
    pub name: String,
    pub url: Option<String>,
    pub artifact_id: Option<i64>,
    pub state: String,
    pub attempts: i64,
    pub error: Option<String>,
    pub bytes: Option<i64>,
    pub lines: Option<i64>,
    pub errors: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Where a log to parse is: a URL, or an artifact of the job.
pub enum Source<'a> {
    Url(&'a str),
    Artifact(i64),
}

/// Queues a log of a job (its name unique in the job). The same log again
/// changes nothing; another URL or artifact under the name is parsed anew.
pub async fn enqueue(
    tx: &mut Tx,
    project_id: i64,
    job_id: i64,
    name: &str,
    source: Source<'_>,
) -> Result<(), sqlx::Error> {
    let (url, artifact) = match source {
        Source::Url(u) => (Some(u), None),
        Source::Artifact(a) => (None, Some(a)),
    };
    let now = super::now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO log_parses (project_id, job_id, name, url, artifact_id, state, retry_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) \
         ON CONFLICT (job_id, name) DO UPDATE SET url = excluded.url, artifact_id = excluded.artifact_id, \
           state = 'pending', attempts = 0, error = NULL, retry_at = excluded.retry_at, claimed_at = NULL, \
           finished_at = NULL \
         WHERE (excluded.url IS NOT NULL AND (log_parses.url IS NULL OR log_parses.url <> excluded.url)) \
            OR (excluded.artifact_id IS NOT NULL AND log_parses.url IS NULL \
                AND (log_parses.artifact_id IS NULL OR log_parses.artifact_id <> excluded.artifact_id))")
        .bind(project_id).bind(job_id).bind(name).bind(url).bind(artifact).bind(now)
        .execute(&mut *c).await.map(|_| ()))
}

/// Takes the next log due (or one whose worker vanished `lease` ago) off
/// the queue for this worker: one attempt more. Any number of servers may
/// call it at once; each log goes to one.
pub async fn claim(db: &Db, lease: chrono::Duration) -> Result<Option<ParseRow>, sqlx::Error> {
    let now = super::now();
    let stale = now - lease;
    let lock = match db {
        Db::Sqlite(_) => "",
        Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE log_parses SET state = 'running', claimed_at = $1, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM log_parses WHERE (state = 'pending' AND retry_at <= $1) \
                       OR (state = 'running' AND claimed_at < $2) ORDER BY retry_at, id LIMIT 1{lock}) \
           AND (state = 'pending' OR claimed_at < $2) \
         RETURNING {COLUMNS}"
    );
    let mut tx = db.begin_write().await?;
    let row = on_tx!(&mut tx, c => sqlx::query_as(&sql).bind(now).bind(stale).fetch_optional(&mut *c).await)?;
    tx.commit().await?;
    Ok(row)
}

/// A fetched log, now an artifact of the job: a later attempt parses it
/// without fetching it again.
pub async fn set_artifact(db: &Db, id: i64, artifact_id: i64, bytes: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE log_parses SET artifact_id = $2, bytes = $3 WHERE id = $1")
        .bind(id).bind(artifact_id).bind(bytes).execute(&mut *c).await.map(|_| ()))?;
    tx.commit().await
}

/// One error line found, with what its bug suggestion comes from.
pub struct NewErrorLine<'a> {
    pub linenumber: i64,
    pub line: &'a str,
    pub search: &'a str,
    pub cluster_id: Option<i64>,
}

/// The log parsed: its error lines replace any found before.
pub async fn parsed(
    tx: &mut Tx,
    id: i64,
    bytes: i64,
    lines: i64,
    errors: &[NewErrorLine<'_>],
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM log_error_lines WHERE parse_id = $1").bind(id).execute(&mut *c).await.map(|_| ()))?;
    for (i, e) in errors.iter().enumerate() {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO log_error_lines (parse_id, position, linenumber, line, search, cluster_id) \
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id).bind(i as i64).bind(e.linenumber).bind(e.line).bind(e.search).bind(e.cluster_id)
            .execute(&mut *c).await.map(|_| ()))?;
    }
    on_tx!(tx, c => sqlx::query(
        "UPDATE log_parses SET state = 'parsed', error = NULL, bytes = $2, lines = $3, errors = $4, finished_at = $5 \
         WHERE id = $1")
        .bind(id).bind(bytes).bind(lines).bind(errors.len() as i64).bind(super::now())
        .execute(&mut *c).await.map(|_| ()))
}

/// The log could not be had or read: `retry_at` queues another attempt,
/// `None` gives up (the reason stays on the job).
pub async fn failed(db: &Db, id: i64, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<(), sqlx::Error> {
    let now = super::now();
    let mut tx = db.begin_write().await?;
    match retry_at {
        Some(at) => on_tx!(&mut tx, c => sqlx::query(
            "UPDATE log_parses SET state = 'pending', error = $2, retry_at = $3, claimed_at = NULL WHERE id = $1")
            .bind(id).bind(error).bind(at).execute(&mut *c).await.map(|_| ()))?,
        None => on_tx!(&mut tx, c => sqlx::query(
            "UPDATE log_parses SET state = 'failed', error = $2, finished_at = $3, claimed_at = NULL WHERE id = $1")
            .bind(id).bind(error).bind(now).execute(&mut *c).await.map(|_| ()))?,
    };
    tx.commit().await
}

pub async fn for_job(db: &Db, job_id: i64) -> Result<Vec<ParseRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM log_parses WHERE job_id = $1 ORDER BY id");
    on_db!(db, p => sqlx::query_as(&sql).bind(job_id).fetch_all(p).await)
}

/// An error line as the job page shows it, with its cluster if any.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ErrorLineRow {
    pub parse_id: i64,
    pub linenumber: i64,
    pub line: String,
    pub search: String,
    pub cluster_id: Option<i64>,
    pub cluster_name: Option<String>,
    pub cluster_pattern: Option<String>,
    pub cluster_link: Option<String>,
}

/// The error lines of a job's parsed logs, in order.
pub async fn error_lines(db: &Db, job_id: i64) -> Result<Vec<ErrorLineRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT e.parse_id, e.linenumber, e.line, e.search, e.cluster_id, c.name AS cluster_name, \
           c.pattern AS cluster_pattern, c.link AS cluster_link \
         FROM log_error_lines e JOIN log_parses l ON l.id = e.parse_id \
         LEFT JOIN failure_clusters c ON c.id = e.cluster_id \
         WHERE l.job_id = $1 ORDER BY e.parse_id, e.position")
        .bind(job_id).fetch_all(p).await)
}

/// Which lines (numbered from 1, as the viewer shows them) of an artifact's
/// text in `first..=last` are error lines of a parse of it.
pub async fn artifact_error_lines(db: &Db, artifact_id: i64, first: i64, last: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar(
        "SELECT DISTINCT e.linenumber + 1 FROM log_error_lines e JOIN log_parses l ON l.id = e.parse_id \
         WHERE l.artifact_id = $1 AND l.state = 'parsed' AND e.linenumber + 1 BETWEEN $2 AND $3 ORDER BY 1")
        .bind(artifact_id).bind(first).bind(last).fetch_all(p).await)
}

/// The project's failure cluster whose signature is this, if any.
pub async fn cluster_by_signature(tx: &mut Tx, project_id: i64, signature: i64) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT id FROM failure_clusters WHERE project_id = $1 AND signature = $2")
        .bind(project_id).bind(signature).fetch_optional(&mut *c).await)
}

/// The project's most recent failure cluster holding a test whose name
/// (or suite, or class) ends with `term`: a test file named by a log.
pub async fn cluster_of_test(tx: &mut Tx, project_id: i64, term: &str) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT c.id FROM failure_clusters c JOIN cluster_tests t ON t.cluster_id = c.id \
         WHERE c.project_id = $1 AND (substr(t.name, length(t.name) - length($2) + 1) = $2 \
           OR substr(t.classname, length(t.classname) - length($2) + 1) = $2 \
           OR substr(t.suite, length(t.suite) - length($2) + 1) = $2) \
         ORDER BY c.last_seen_at DESC LIMIT 1")
        .bind(project_id).bind(term).fetch_optional(&mut *c).await)
}
