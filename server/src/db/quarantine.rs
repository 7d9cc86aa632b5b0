//! Quarantined tests (see migrations/*/0013_quarantine.sql): the
//! quarantines of a project, and which failures of a job they covered.

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};

const COLUMNS: &str = "id, project_id, test_key, suite, classname, name, reason, created_by, created_at, expires_at, \
    lifted_at, lifted_by, failures, clean_runs, last_failed_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuarantineRow {
    pub id: i64,
    pub project_id: i64,
    pub test_key: i64,
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub lifted_at: Option<DateTime<Utc>>,
    /// `None` with `lifted_at` set: it expired.
    pub lifted_by: Option<String>,
    pub failures: i64,
    pub clean_runs: i64,
    pub last_failed_at: Option<DateTime<Utc>>,
}

/// The project's quarantines in force now: (id, test key).
pub async fn active_in(tx: &mut Tx, project_id: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT id, test_key FROM quarantines WHERE project_id = $1 AND lifted_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2) ORDER BY id")
        .bind(project_id).bind(super::now()).fetch_all(&mut *c).await)
}

/// `failures` failures of a quarantined test in one job: marked for the
/// job page, counted on the quarantine, its clean streak reset.
pub async fn record_failures(
    tx: &mut Tx,
    job_id: i64,
    quarantine_id: i64,
    test_key: i64,
    failures: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO quarantined_results (job_id, test_key, quarantine_id, failures) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (job_id, test_key) DO UPDATE SET failures = quarantined_results.failures + excluded.failures")
        .bind(job_id).bind(test_key).bind(quarantine_id).bind(failures).execute(&mut *c).await.map(|_| ()))?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE quarantines SET failures = failures + $2, clean_runs = 0, last_failed_at = $3 WHERE id = $1")
        .bind(quarantine_id).bind(failures).bind(super::now()).execute(&mut *c).await.map(|_| ()))
}

/// Quarantined tests that passed in an upload: one more clean execution each.
pub async fn record_clean(tx: &mut Tx, ids: &[i64]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let sql = format!("UPDATE quarantines SET clean_runs = clean_runs + 1 WHERE id IN ({list})");
    on_tx!(tx, c => sqlx::query(&sql).execute(&mut *c).await.map(|_| ()))
}

/// The test's quarantine that is not lifted (it may have expired), locked
/// for the transaction on PostgreSQL.
pub async fn open_in(tx: &mut Tx, project_id: i64, test_key: i64) -> Result<Option<QuarantineRow>, sqlx::Error> {
    let lock = match tx {
        Tx::Sqlite(_) => "",
        Tx::Postgres(_) => " FOR UPDATE",
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM quarantines WHERE project_id = $1 AND test_key = $2 AND lifted_at IS NULL{lock}"
    );
    on_tx!(tx, c => sqlx::query_as(&sql).bind(project_id).bind(test_key).fetch_optional(&mut *c).await)
}

/// Closes a quarantine: lifted by `by`, or expired (`by` = `None`) at `at`.
pub async fn close(tx: &mut Tx, id: i64, at: DateTime<Utc>, by: Option<&str>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE quarantines SET lifted_at = $2, lifted_by = $3 WHERE id = $1 AND lifted_at IS NULL")
        .bind(id).bind(at).bind(by).execute(&mut *c).await.map(|_| ()))
}

pub struct NewQuarantine<'a> {
    pub project_id: i64,
    pub test_key: i64,
    pub suite: &'a str,
    pub classname: &'a str,
    pub name: &'a str,
    pub reason: &'a str,
    pub created_by: &'a str,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn insert(tx: &mut Tx, q: &NewQuarantine<'_>) -> Result<QuarantineRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO quarantines (project_id, test_key, suite, classname, name, reason, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    );
    on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(q.project_id).bind(q.test_key).bind(q.suite).bind(q.classname).bind(q.name).bind(q.reason)
        .bind(q.created_by).bind(super::now()).bind(q.expires_at)
        .fetch_one(&mut *c).await)
}

/// One job re-scored: its failures of the test, now quarantined.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Rescored {
    pub job_id: i64,
    pub run_id: i64,
    pub failures: i64,
}

/// Marks the test's failures in the project's jobs created since `since`
/// as quarantined (jobs whose failures of it were already quarantined
/// stay as they are) and takes them out of those jobs' and runs' verdict;
/// answers the jobs re-scored. The caller refreshes the runs' status.
pub async fn rescore(
    tx: &mut Tx,
    project_id: i64,
    quarantine_id: i64,
    test_key: i64,
    since: DateTime<Utc>,
) -> Result<Vec<Rescored>, sqlx::Error> {
    let found: Vec<Rescored> = on_tx!(tx, c => sqlx::query_as(
        "SELECT t.job_id, t.run_id, COUNT(*) AS failures FROM runs r JOIN jobs j ON j.run_id = r.id \
         JOIN test_results t ON t.job_id = j.id AND t.test_key = $2 \
         WHERE r.project_id = $1 AND j.created_at >= $3 AND t.status IN (0, 1) \
           AND NOT EXISTS (SELECT 1 FROM quarantined_results q WHERE q.job_id = j.id AND q.test_key = $2) \
         GROUP BY t.job_id, t.run_id ORDER BY t.job_id")
        .bind(project_id).bind(test_key).bind(since).fetch_all(&mut *c).await)?;
    let mut total = 0;
    for r in &found {
        total += r.failures;
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO quarantined_results (job_id, test_key, quarantine_id, failures) VALUES ($1, $2, $3, $4)")
            .bind(r.job_id).bind(test_key).bind(quarantine_id).bind(r.failures).execute(&mut *c).await.map(|_| ()))?;
        on_tx!(tx, c => sqlx::query("UPDATE jobs SET quarantined = quarantined + $2 WHERE id = $1")
            .bind(r.job_id).bind(r.failures).execute(&mut *c).await.map(|_| ()))?;
        on_tx!(tx, c => sqlx::query("UPDATE runs SET quarantined = quarantined + $2 WHERE id = $1")
            .bind(r.run_id).bind(r.failures).execute(&mut *c).await.map(|_| ()))?;
    }
    if total > 0 {
        on_tx!(tx, c => sqlx::query("UPDATE quarantines SET failures = failures + $2 WHERE id = $1")
            .bind(quarantine_id).bind(total).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(found)
}

/// A project's quarantines: those not lifted first (newest first), then,
/// with `closed`, the lifted and expired ones.
pub async fn list(db: &Db, project_id: i64, closed: bool) -> Result<Vec<QuarantineRow>, sqlx::Error> {
    let cond = if closed { "" } else { " AND lifted_at IS NULL" };
    let sql = format!(
        "SELECT {COLUMNS} FROM quarantines WHERE project_id = $1{cond} \
         ORDER BY CASE WHEN lifted_at IS NULL THEN 0 ELSE 1 END, id DESC LIMIT 5000"
    );
    on_db!(db, p => sqlx::query_as(&sql).bind(project_id).fetch_all(p).await)
}

pub async fn get_in(tx: &mut Tx, project_id: i64, id: i64) -> Result<Option<QuarantineRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM quarantines WHERE project_id = $1 AND id = $2");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(project_id).bind(id).fetch_optional(&mut *c).await)
}

/// The test's quarantine that is not lifted, for reading.
pub async fn open_for(db: &Db, project_id: i64, test_key: i64) -> Result<Option<QuarantineRow>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM quarantines WHERE project_id = $1 AND test_key = $2 AND lifted_at IS NULL");
    on_db!(db, p => sqlx::query_as(&sql).bind(project_id).bind(test_key).fetch_optional(p).await)
}

/// Which of these tests' failures in the job were quarantined.
pub async fn job_marks(db: &Db, job_id: i64, keys: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let list = keys.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT test_key FROM quarantined_results WHERE job_id = $1 AND test_key IN ({list})");
    on_db!(db, p => sqlx::query_scalar(&sql).bind(job_id).fetch_all(p).await)
}

/// Whether the test has a result in the project's jobs created since `since`.
pub async fn seen(tx: &mut Tx, project_id: i64, test_key: i64, since: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT j.id FROM runs r JOIN jobs j ON j.run_id = r.id \
         WHERE r.project_id = $1 AND j.created_at >= $3 \
           AND EXISTS (SELECT 1 FROM test_results t WHERE t.job_id = j.id AND t.test_key = $2) LIMIT 1")
        .bind(project_id).bind(test_key).bind(since).fetch_optional(&mut *c).await)?;
    Ok(found.is_some())
}
