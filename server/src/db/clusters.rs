//! Failure clusters (see migrations/*/0014_failure_clusters.sql).

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use shared::analytics::wire::{Cluster, ClusterJob, ClusterTest};

const CLUSTER_COLUMNS: &str = "c.id, c.pattern, c.example, c.name, c.link, c.named_by, c.named_at, c.failures, c.tests, \
    c.jobs, c.first_run_id, fr.name AS first_run, c.first_seen_at, c.last_run_id, lr.name AS last_run, c.last_job_id, \
    c.last_seen_at";
const CLUSTER_FROM: &str =
    "failure_clusters c LEFT JOIN runs fr ON fr.id = c.first_run_id LEFT JOIN runs lr ON lr.id = c.last_run_id";
/// The run names of a cluster `c` joined in.
const RUN_NAMES: &str = "LEFT JOIN runs fr ON fr.id = c.first_run_id LEFT JOIN runs lr ON lr.id = c.last_run_id";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClusterRow {
    pub id: i64,
    pub pattern: String,
    pub example: Option<String>,
    pub name: Option<String>,
    pub link: Option<String>,
    pub named_by: Option<String>,
    pub named_at: Option<DateTime<Utc>>,
    pub failures: i64,
    pub tests: i64,
    pub jobs: i64,
    pub first_run_id: i64,
    pub first_run: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_run_id: i64,
    pub last_run: Option<String>,
    pub last_job_id: i64,
    pub last_seen_at: DateTime<Utc>,
}

fn run_name(name: Option<String>, id: i64) -> String {
    name.unwrap_or_else(|| format!("#{id} (deleted)"))
}

impl ClusterRow {
    pub fn into_json(self) -> Cluster {
        Cluster {
            id: self.id,
            pattern: self.pattern,
            example: self.example,
            name: self.name,
            link: self.link,
            named_by: self.named_by,
            named_at: self.named_at,
            failures: self.failures,
            tests: self.tests,
            jobs: self.jobs,
            first_run_id: self.first_run_id,
            first_run: run_name(self.first_run, self.first_run_id),
            first_seen_at: self.first_seen_at,
            last_run_id: self.last_run_id,
            last_run: run_name(self.last_run, self.last_run_id),
            last_job_id: self.last_job_id,
            last_seen_at: self.last_seen_at,
        }
    }
}

/// One signature's failures in one upload.
pub struct Seen<'a> {
    pub project_id: i64,
    pub signature: i64,
    pub pattern: &'a str,
    pub example: Option<&'a str>,
    pub run_id: i64,
    pub job_id: i64,
    pub failures: i64,
}

/// Records a signature's failures in an upload: the cluster made or moved
/// on, and the job counted if new to it. Answers the cluster's id.
pub async fn seen(tx: &mut Tx, s: &Seen<'_>) -> Result<i64, sqlx::Error> {
    let now = super::now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO failure_clusters (project_id, signature, pattern, example, failures, first_run_id, first_seen_at, \
           last_run_id, last_job_id, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $8, $7) \
         ON CONFLICT (project_id, signature) DO UPDATE SET failures = failure_clusters.failures + excluded.failures, \
           last_run_id = excluded.last_run_id, last_job_id = excluded.last_job_id, last_seen_at = excluded.last_seen_at \
         RETURNING id")
        .bind(s.project_id).bind(s.signature).bind(s.pattern).bind(s.example).bind(s.failures).bind(s.run_id)
        .bind(now).bind(s.job_id)
        .fetch_one(&mut *c).await)?;
    let added = on_tx!(tx, c => sqlx::query(
        "INSERT INTO cluster_jobs (cluster_id, job_id, run_id, failures, seen_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (cluster_id, job_id) DO NOTHING")
        .bind(id).bind(s.job_id).bind(s.run_id).bind(s.failures).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if added == 0 {
        on_tx!(tx, c => sqlx::query(
            "UPDATE cluster_jobs SET failures = failures + $3, seen_at = $4 WHERE cluster_id = $1 AND job_id = $2")
            .bind(id).bind(s.job_id).bind(s.failures).bind(now).execute(&mut *c).await.map(|_| ()))?;
    } else {
        on_tx!(tx, c => sqlx::query("UPDATE failure_clusters SET jobs = jobs + 1 WHERE id = $1")
            .bind(id).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(id)
}

/// One failure of a test in a cluster.
pub struct TestFailure<'a> {
    pub cluster_id: i64,
    pub test_key: i64,
    pub suite: &'a str,
    pub classname: &'a str,
    pub name: &'a str,
    pub result_id: i64,
    pub job_id: i64,
    pub run_id: i64,
}

/// Records one failure: the job's mark, the test counted if new to the cluster.
pub async fn test_failed(tx: &mut Tx, f: &TestFailure<'_>) -> Result<(), sqlx::Error> {
    let now = super::now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO cluster_failures (job_id, test_key, cluster_id) VALUES ($1, $2, $3) \
         ON CONFLICT (job_id, test_key) DO UPDATE SET cluster_id = excluded.cluster_id")
        .bind(f.job_id).bind(f.test_key).bind(f.cluster_id).execute(&mut *c).await.map(|_| ()))?;
    let added = on_tx!(tx, c => sqlx::query(
        "INSERT INTO cluster_tests (cluster_id, test_key, suite, classname, name, failures, last_result_id, last_job_id, \
           last_run_id, last_seen_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9) \
         ON CONFLICT (cluster_id, test_key) DO NOTHING")
        .bind(f.cluster_id).bind(f.test_key).bind(f.suite).bind(f.classname).bind(f.name).bind(f.result_id)
        .bind(f.job_id).bind(f.run_id).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if added == 0 {
        on_tx!(tx, c => sqlx::query(
            "UPDATE cluster_tests SET failures = failures + 1, last_result_id = $3, last_job_id = $4, last_run_id = $5, \
             last_seen_at = $6 WHERE cluster_id = $1 AND test_key = $2")
            .bind(f.cluster_id).bind(f.test_key).bind(f.result_id).bind(f.job_id).bind(f.run_id).bind(now)
            .execute(&mut *c).await.map(|_| ()))
    } else {
        on_tx!(tx, c => sqlx::query("UPDATE failure_clusters SET tests = tests + 1 WHERE id = $1")
            .bind(f.cluster_id).execute(&mut *c).await.map(|_| ()))
    }
}

/// The upload's failed and errored results: (id, test key), by id.
pub async fn upload_failures(tx: &mut Tx, job_id: i64, upload_id: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT id, test_key FROM test_results WHERE job_id = $1 AND status IN (0, 1) AND upload_id = $2 ORDER BY id")
        .bind(job_id).bind(upload_id).fetch_all(&mut *c).await)
}

/// A project's clusters, most recently seen first.
pub async fn list(db: &Db, project_id: i64, limit: i64) -> Result<Vec<ClusterRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {CLUSTER_COLUMNS} FROM {CLUSTER_FROM} WHERE c.project_id = $1 ORDER BY c.last_seen_at DESC, c.id DESC LIMIT $2"
    );
    on_db!(db, p => sqlx::query_as(&sql).bind(project_id).bind(limit).fetch_all(p).await)
}

pub async fn get(db: &Db, project_id: i64, id: i64) -> Result<Option<ClusterRow>, sqlx::Error> {
    let sql = format!("SELECT {CLUSTER_COLUMNS} FROM {CLUSTER_FROM} WHERE c.project_id = $1 AND c.id = $2");
    on_db!(db, p => sqlx::query_as(&sql).bind(project_id).bind(id).fetch_optional(p).await)
}

pub async fn get_in(tx: &mut Tx, project_id: i64, id: i64) -> Result<Option<ClusterRow>, sqlx::Error> {
    let sql = format!("SELECT {CLUSTER_COLUMNS} FROM {CLUSTER_FROM} WHERE c.project_id = $1 AND c.id = $2");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(project_id).bind(id).fetch_optional(&mut *c).await)
}

pub async fn name(tx: &mut Tx, id: i64, name: Option<&str>, link: Option<&str>, by: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE failure_clusters SET name = $2, link = $3, named_by = $4, named_at = $5 WHERE id = $1")
        .bind(id).bind(name).bind(link).bind(by).bind(super::now()).execute(&mut *c).await.map(|_| ()))
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ClusterTestRow {
    suite: String,
    classname: String,
    name: String,
    failures: i64,
    last_result_id: i64,
    last_job_id: i64,
    last_run_id: i64,
    last_run: Option<String>,
    last_seen_at: DateTime<Utc>,
}

pub async fn tests(db: &Db, cluster_id: i64, limit: i64) -> Result<Vec<ClusterTest>, sqlx::Error> {
    let rows: Vec<ClusterTestRow> = on_db!(db, p => sqlx::query_as(
        "SELECT t.suite, t.classname, t.name, t.failures, t.last_result_id, t.last_job_id, t.last_run_id, \
           r.name AS last_run, t.last_seen_at \
         FROM cluster_tests t LEFT JOIN runs r ON r.id = t.last_run_id WHERE t.cluster_id = $1 \
         ORDER BY t.last_seen_at DESC, t.name LIMIT $2")
        .bind(cluster_id).bind(limit).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| ClusterTest {
            suite: r.suite,
            classname: r.classname,
            name: r.name,
            failures: r.failures,
            last_result_id: r.last_result_id,
            last_job_id: r.last_job_id,
            last_run_id: r.last_run_id,
            last_run: run_name(r.last_run, r.last_run_id),
            last_seen_at: r.last_seen_at,
        })
        .collect())
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ClusterJobRow {
    job_id: i64,
    job_key: String,
    job_name: String,
    run_id: i64,
    run: String,
    failures: i64,
    seen_at: DateTime<Utc>,
}

/// The jobs a cluster appeared in, newest first (deleted ones are gone).
pub async fn jobs(db: &Db, cluster_id: i64, limit: i64) -> Result<Vec<ClusterJob>, sqlx::Error> {
    let rows: Vec<ClusterJobRow> = on_db!(db, p => sqlx::query_as(
        "SELECT cj.job_id, j.key AS job_key, j.name AS job_name, cj.run_id, r.name AS run, cj.failures, cj.seen_at \
         FROM cluster_jobs cj JOIN jobs j ON j.id = cj.job_id JOIN runs r ON r.id = cj.run_id \
         WHERE cj.cluster_id = $1 ORDER BY cj.job_id DESC LIMIT $2")
        .bind(cluster_id).bind(limit).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| ClusterJob {
            job_id: r.job_id,
            job_key: r.job_key,
            job_name: r.job_name,
            run_id: r.run_id,
            run: r.run,
            failures: r.failures,
            seen_at: r.seen_at,
        })
        .collect())
}

/// The clusters of these tests' failures in the job: (test key, cluster).
pub async fn job_marks(db: &Db, job_id: i64, keys: &[i64]) -> Result<Vec<(i64, ClusterRow)>, sqlx::Error> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let list = keys.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT f.test_key, {CLUSTER_COLUMNS} FROM cluster_failures f JOIN failure_clusters c ON c.id = f.cluster_id \
         {RUN_NAMES} WHERE f.job_id = $1 AND f.test_key IN ({list})"
    );
    let rows: Vec<MarkRow> = on_db!(db, p => sqlx::query_as(&sql).bind(job_id).fetch_all(p).await)?;
    Ok(rows.into_iter().map(|r| (r.test_key, r.cluster)).collect())
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct MarkRow {
    test_key: i64,
    #[sqlx(flatten)]
    cluster: ClusterRow,
}

/// Every failure of a job with its cluster: (result id, suite, classname,
/// name, cluster), at most `limit`.
pub async fn job_failures(db: &Db, job_id: i64, limit: i64) -> Result<Vec<JobFailureRow>, sqlx::Error> {
    let sql = format!(
        "SELECT t.id AS result_id, t.suite, t.classname, t.name AS test_name, {CLUSTER_COLUMNS} \
         FROM test_results t JOIN cluster_failures f ON f.job_id = t.job_id AND f.test_key = t.test_key \
         JOIN failure_clusters c ON c.id = f.cluster_id {RUN_NAMES} \
         WHERE t.job_id = $1 AND t.status IN (0, 1) ORDER BY t.status, t.id LIMIT $2"
    );
    on_db!(db, p => sqlx::query_as(&sql).bind(job_id).bind(limit).fetch_all(p).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobFailureRow {
    pub result_id: i64,
    pub suite: String,
    pub classname: String,
    pub test_name: String,
    #[sqlx(flatten)]
    pub cluster: ClusterRow,
}
