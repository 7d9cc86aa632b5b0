//! Jobs: one CI job in a run.

use super::rows::{CountsRow, JsonText};
use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use shared::Counts;
use shared::model::JobSummary;
use shared::model::{CreateJob, UpdateJob};
use shared::{JobResult, JobState};

pub const JOB_COLUMNS: &str = "id, run_id, project_id, key, name, platform, machine, state, result, labels, \
    upload_count, artifact_count, artifact_bytes, perf_tests, perf_metrics, regression, trace_count, trace_failed, previous_job_id, total, passed, failed, errors, skipped, flaky, duration_s, quarantined, \
    started_at, finished_at, created_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub run_id: i64,
    pub project_id: i64,
    pub key: String,
    pub name: String,
    pub platform: Option<String>,
    pub machine: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: JobState,
    #[sqlx(try_from = "String")]
    pub result: JobResult,
    #[sqlx(try_from = "String")]
    pub labels: JsonText<Vec<String>>,
    pub upload_count: i64,
    pub artifact_count: i64,
    pub artifact_bytes: i64,
    pub perf_tests: i64,
    pub perf_metrics: i64,
    pub regression: Option<String>,
    pub trace_count: i64,
    pub trace_failed: i64,
    pub previous_job_id: Option<i64>,
    #[sqlx(flatten)]
    pub counts: CountsRow,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl JobRow {
    pub fn into_json(self) -> JobSummary {
        let counts: Counts = self.counts.into();
        JobSummary {
            id: self.id,
            run_id: self.run_id,
            key: self.key,
            name: self.name,
            platform: self.platform,
            machine: self.machine,
            state: self.state,
            result: self.result,
            effective_result: self.result.effective(self.state, counts.bad() + self.trace_failed),
            labels: self.labels.0,
            counts,
            upload_count: self.upload_count,
            artifact_count: self.artifact_count,
            artifact_bytes: self.artifact_bytes,
            perf_tests: self.perf_tests,
            perf_metrics: self.perf_metrics,
            regression: self.regression,
            trace_count: self.trace_count,
            trace_failed: self.trace_failed,
            previous_job_id: self.previous_job_id,
            started_at: self.started_at,
            finished_at: self.finished_at,
            created_at: self.created_at,
        }
    }
}

/// A job by key, or else by numeric id, within a run. Keys win.
pub async fn find(db: &Db, run_id: i64, ident: &str) -> Result<Option<JobRow>, sqlx::Error> {
    let by_key = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE run_id = $1 AND key = $2");
    let row: Option<JobRow> =
        on_db!(db, p => sqlx::query_as(&by_key).bind(run_id).bind(ident).fetch_optional(p).await)?;
    if row.is_some() {
        return Ok(row);
    }
    match ident.parse::<i64>() {
        Ok(id) => {
            let by_id = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE run_id = $1 AND id = $2");
            on_db!(db, p => sqlx::query_as(&by_id).bind(run_id).bind(id).fetch_optional(p).await)
        }
        Err(_) => Ok(None),
    }
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<JobRow>, sqlx::Error> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
    on_db!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
}

/// A job by id, inside a transaction.
pub async fn by_id_in(tx: &mut Tx, id: i64) -> Result<Option<JobRow>, sqlx::Error> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
}

pub async fn list(db: &Db, run_id: i64) -> Result<Vec<JobRow>, sqlx::Error> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE run_id = $1 ORDER BY name, id");
    on_db!(db, p => sqlx::query_as(&sql).bind(run_id).fetch_all(p).await)
}

/// Inserts the job, or returns the existing one with that key.
pub async fn insert_or_get(
    tx: &mut Tx,
    project_id: i64,
    run_id: i64,
    req: &CreateJob,
) -> Result<(JobRow, bool), sqlx::Error> {
    let now = super::now();
    let labels = serde_json::to_string(&req.labels.clone().unwrap_or_default()).unwrap_or_else(|_| "[]".into());
    let insert = format!(
        "INSERT INTO jobs (run_id, project_id, key, name, platform, machine, state, result, labels, started_at, finished_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) ON CONFLICT (run_id, key) DO NOTHING RETURNING {JOB_COLUMNS}"
    );
    let created: Option<JobRow> = on_tx!(tx, c => sqlx::query_as(&insert)
        .bind(run_id)
        .bind(project_id)
        .bind(&req.key)
        .bind(req.name.as_deref().unwrap_or(&req.key))
        .bind(&req.platform)
        .bind(&req.machine)
        .bind(req.state.unwrap_or_default().as_str())
        .bind(req.result.unwrap_or_default().as_str())
        .bind(labels)
        .bind(req.started_at)
        .bind(req.finished_at)
        .bind(now)
        .fetch_optional(&mut *c)
        .await)?;
    if let Some(row) = created {
        return Ok((row, true));
    }
    let select = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE run_id = $1 AND key = $2");
    let row = on_tx!(tx, c => sqlx::query_as(&select).bind(run_id).bind(&req.key).fetch_one(&mut *c).await)?;
    Ok((row, false))
}

/// Sets the fields that are given.
pub async fn update(tx: &mut Tx, job_id: i64, req: &UpdateJob) -> Result<JobRow, sqlx::Error> {
    let sql = format!(
        "UPDATE jobs SET state = COALESCE($1, state), result = COALESCE($2, result), \
         started_at = COALESCE($3, started_at), finished_at = COALESCE($4, finished_at), updated_at = $5 \
         WHERE id = $6 RETURNING {JOB_COLUMNS}"
    );
    on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(req.state.map(|s| s.as_str()))
        .bind(req.result.map(|r| r.as_str()))
        .bind(req.started_at)
        .bind(req.finished_at)
        .bind(super::now())
        .bind(job_id)
        .fetch_one(&mut *c)
        .await)
}

/// Fills optional fields the job does not have yet; never overwrites.
pub async fn fill_missing(tx: &mut Tx, job_id: i64, req: &CreateJob) -> Result<JobRow, sqlx::Error> {
    let sql = format!(
        "UPDATE jobs SET platform = COALESCE(platform, $1), machine = COALESCE(machine, $2), \
         started_at = COALESCE(started_at, $3), finished_at = COALESCE(finished_at, $4) \
         WHERE id = $5 RETURNING {JOB_COLUMNS}"
    );
    on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(&req.platform)
        .bind(&req.machine)
        .bind(req.started_at)
        .bind(req.finished_at)
        .bind(job_id)
        .fetch_one(&mut *c)
        .await)
}

/// Adds a test report's counts to the job's roll-up.
pub async fn add_counts(tx: &mut Tx, job_id: i64, c: &Counts) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE jobs SET total = total + $1, passed = passed + $2, failed = failed + $3, errors = errors + $4, \
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
    .bind(job_id)
    .bind(c.quarantined)
    .execute(&mut *conn)
    .await.map(|_| ()))
}

/// Counts files uploaded to the job (any kind): `delta` may be negative.
pub async fn add_uploads(tx: &mut Tx, job_id: i64, delta: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE jobs SET upload_count = upload_count + $1, updated_at = $2 WHERE id = $3")
        .bind(delta)
        .bind(super::now())
        .bind(job_id)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}

/// Adds artifacts (count, bytes) to the job's roll-up: negative to remove.
pub async fn add_artifacts(tx: &mut Tx, job_id: i64, count: i64, bytes: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE jobs SET artifact_count = artifact_count + $1, artifact_bytes = artifact_bytes + $2 WHERE id = $3"
    )
    .bind(count)
    .bind(bytes)
    .bind(job_id)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}
