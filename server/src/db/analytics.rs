//! Test analytics bookkeeping written at ingest (each upload's outcome
//! digest, the run each failure has been failing since, a job's previous
//! job on its branch) and the reads of a run-vs-run diff.

use super::uploads::Target;
use super::{Db, Tx};
use crate::{on_db, on_tx};
use shared::TestStatus;
use shared::analytics::digest::Outcome;

/// Keeps an upload's outcome digest.
pub async fn insert_digest(tx: &mut Tx, job_id: i64, upload_id: i64, digest: &[u8]) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("INSERT INTO test_digests (upload_id, job_id, digest) VALUES ($1, $2, $3)")
        .bind(upload_id).bind(job_id).bind(digest).execute(&mut *c).await.map(|_| ()))
}

/// The newest job of the same key in an earlier run on the same branch
/// (or on no branch, when this run has none).
pub async fn find_previous_job(tx: &mut Tx, job_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let (run_id, project_id, key, branch): (i64, i64, String, Option<String>) = on_tx!(tx, c => sqlx::query_as(
        "SELECT r.id, r.project_id, j.key, r.branch FROM jobs j JOIN runs r ON r.id = j.run_id WHERE j.id = $1")
        .bind(job_id).fetch_one(&mut *c).await)?;
    let branch_cond = if branch.is_some() { "r.branch = $4" } else { "r.branch IS NULL" };
    let sql = format!(
        "SELECT j.id FROM runs r JOIN jobs j ON j.run_id = r.id AND j.key = $3 \
         WHERE r.project_id = $1 AND r.id < $2 AND {branch_cond} ORDER BY r.id DESC LIMIT 1"
    );
    on_tx!(tx, c => {
        let mut q = sqlx::query_scalar(&sql).bind(project_id).bind(run_id).bind(&key);
        if let Some(b) = &branch {
            q = q.bind(b);
        }
        q.fetch_optional(&mut *c).await
    })
}

/// The job's previous job: found once and recorded (what the job page
/// links to and its failures are marked against), then read back.
pub async fn previous_job(tx: &mut Tx, job_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let known: Option<i64> = on_tx!(tx, c => sqlx::query_scalar("SELECT previous_job_id FROM jobs WHERE id = $1")
        .bind(job_id).fetch_one(&mut *c).await)?;
    if known.is_some() {
        return Ok(known);
    }
    let found = find_previous_job(tx, job_id).await?;
    if let Some(p) = found {
        on_tx!(tx, c => sqlx::query("UPDATE jobs SET previous_job_id = $1 WHERE id = $2")
            .bind(p).bind(job_id).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(found)
}

/// What an upload's failures are marked with (see
/// [`super::ingest::FailingSince`]): the previous job's failures, each with
/// the run it has been failing since, read through the job's
/// `(job_id, status, id)` index before the rows are written.
pub async fn failing_since(tx: &mut Tx, target: Target) -> Result<super::ingest::FailingSince, sqlx::Error> {
    let mut out = super::ingest::FailingSince { run_id: target.run_id, previous: Default::default() };
    let Some(prev) = previous_job(tx, target.job_id).await? else { return Ok(out) };
    let (failed, error) = (TestStatus::Failed.code(), TestStatus::Error.code());
    let sql = format!(
        "SELECT test_key, COALESCE(failing_since, run_id) FROM test_results WHERE job_id = $1 AND status IN ({failed}, {error})"
    );
    let rows: Vec<(i64, i64)> = on_tx!(tx, c => sqlx::query_as(&sql).bind(prev).fetch_all(&mut *c).await)?;
    out.previous.extend(rows);
    Ok(out)
}

/// A job's test uploads' digests, oldest first; `None` if any upload has
/// none (stored before digests existed).
pub async fn job_digests(db: &Db, job_id: i64) -> Result<Option<Vec<Vec<u8>>>, sqlx::Error> {
    let sql = "SELECT d.digest FROM uploads u LEFT JOIN test_digests d ON d.upload_id = u.id \
               WHERE u.job_id = $1 AND u.kind = $2 ORDER BY u.id";
    let rows: Vec<Option<Vec<u8>>> = on_db!(db, p => sqlx::query_scalar(sql)
        .bind(job_id).bind(shared::model::UploadKind::TestReport.as_str()).fetch_all(p).await)?;
    Ok(rows.into_iter().collect())
}

#[derive(sqlx::FromRow)]
struct OutcomeRow {
    test_key: i64,
    #[sqlx(try_from = "i16")]
    status: TestStatus,
    flaky: bool,
    duration_s: Option<f64>,
}

/// A job's outcomes read from its results (for uploads without a digest).
pub async fn job_outcomes(db: &Db, job_id: i64) -> Result<Vec<Outcome>, sqlx::Error> {
    let sql = "SELECT test_key, status, flaky, duration_s FROM test_results WHERE job_id = $1";
    let rows: Vec<OutcomeRow> = on_db!(db, p => sqlx::query_as(sql).bind(job_id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Outcome {
            key: r.test_key,
            status: r.status,
            flaky: r.flaky,
            duration_s: r.duration_s.map(|d| d as f32),
        })
        .collect())
}

/// What a diff lists of one test in one job.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamedResult {
    pub id: i64,
    pub test_key: i64,
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub summary: Option<String>,
    pub failing_since: Option<i64>,
}

/// The results of these tests in a job (the first of each, by id), through
/// the `(job_id, test_key)` index.
pub async fn named_results(db: &Db, job_id: i64, keys: &[i64]) -> Result<Vec<NamedResult>, sqlx::Error> {
    let mut out = Vec::with_capacity(keys.len());
    for sql in named_results_sql(keys) {
        let rows: Vec<NamedResult> = on_db!(db, p => sqlx::query_as(&sql).bind(job_id).fetch_all(p).await)?;
        out.extend(rows);
    }
    Ok(out)
}

/// The same, in a transaction (ingest names the tests it found flaky).
pub async fn named_results_in(tx: &mut Tx, job_id: i64, keys: &[i64]) -> Result<Vec<NamedResult>, sqlx::Error> {
    let mut out = Vec::with_capacity(keys.len());
    for sql in named_results_sql(keys) {
        let rows: Vec<NamedResult> = on_tx!(tx, c => sqlx::query_as(&sql).bind(job_id).fetch_all(&mut *c).await)?;
        out.extend(rows);
    }
    Ok(out)
}

/// One statement per 500 keys (held as integer literals: ours, never
/// user text); `$1` is the job.
fn named_results_sql(keys: &[i64]) -> Vec<String> {
    keys.chunks(500)
        .map(|chunk| {
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            format!(
                "SELECT id, test_key, suite, classname, name, summary, failing_since FROM test_results \
                 WHERE job_id = $1 AND test_key IN ({list}) ORDER BY id"
            )
        })
        .collect()
}

/// Names of runs by id.
pub async fn run_names(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT id, name FROM runs WHERE id IN ({list})");
    on_db!(db, p => sqlx::query_as(&sql).fetch_all(p).await)
}

/// The newest earlier run on the same branch (or on no branch).
pub async fn previous_run(
    db: &Db,
    project_id: i64,
    run_id: i64,
    branch: Option<&str>,
) -> Result<Option<i64>, sqlx::Error> {
    let branch_cond = if branch.is_some() { "branch = $3" } else { "branch IS NULL" };
    let sql =
        format!("SELECT id FROM runs WHERE project_id = $1 AND id < $2 AND {branch_cond} ORDER BY id DESC LIMIT 1");
    on_db!(db, p => {
        let mut q = sqlx::query_scalar(&sql).bind(project_id).bind(run_id);
        if let Some(b) = branch {
            q = q.bind(b);
        }
        q.fetch_optional(p).await
    })
}

/// A job's slowest tests: (result id, suite, classname, name, seconds).
pub async fn slowest(db: &Db, job_id: i64, limit: i64) -> Result<Vec<(i64, String, String, String, f64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT id, suite, classname, name, duration_s FROM test_results \
         WHERE job_id = $1 AND duration_s IS NOT NULL AND status <> 2 ORDER BY duration_s DESC, id LIMIT $2")
        .bind(job_id).bind(limit).fetch_all(p).await)
}

/// The job's previous job of the same key on the branch, as recorded.
pub async fn previous_job_of(db: &Db, job_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let prev: Option<Option<i64>> = on_db!(db, p => sqlx::query_scalar("SELECT previous_job_id FROM jobs WHERE id = $1")
        .bind(job_id).fetch_optional(p).await)?;
    Ok(prev.flatten())
}
