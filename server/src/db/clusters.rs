//! Failure clusters (see migrations/*/0014_failure_clusters.sql).

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use shared::analytics::wire::{Cluster, ClusterJob, ClusterTest};
use std::collections::HashMap;

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

/// Rows per statement of the batched writes below (at most 10 bound
/// values a row: far under SQLite's 32,766 and PostgreSQL's 65,535).
const ROWS: usize = 1000;

/// `($f, $f+1, …), (…), …`: `rows` rows of `cols` numbered placeholders,
/// the first numbered `first`.
fn value_rows(rows: usize, cols: usize, first: usize) -> String {
    let mut sql = String::with_capacity(rows * cols * 7);
    let mut n = first;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&n.to_string());
            n += 1;
        }
        sql.push(')');
    }
    sql
}

/// Where an upload's failures were seen.
#[derive(Debug, Clone, Copy)]
pub struct At {
    pub project_id: i64,
    pub run_id: i64,
    pub job_id: i64,
}

/// One signature's failures in one upload.
pub struct Seen<'a> {
    pub signature: i64,
    pub pattern: &'a str,
    pub example: Option<&'a str>,
    pub failures: i64,
}

/// One failure of a test in a cluster.
pub struct TestFailure<'a> {
    pub cluster_id: i64,
    pub test_key: i64,
    pub suite: &'a str,
    pub classname: &'a str,
    pub name: &'a str,
    pub result_id: i64,
}

/// Records an upload's failures, a few statements per thousand rows
/// whatever their number: the clusters of `seen` (sorted by signature)
/// made or moved on, the job counted in each, then `failures(ids)` — the
/// failures, given each signature's cluster id — marked for the job page,
/// each test counted when new to its cluster. Answers nothing; the
/// clusters' `tests` and `jobs` counters are moved on last, by signature.
///
/// Concurrent uploads lock a cluster's row first, in signature order,
/// before touching anything under it: no deadlock on PostgreSQL.
pub async fn record<'a>(
    tx: &mut Tx,
    at: At,
    seen: &[Seen<'_>],
    failures: impl FnOnce(&HashMap<i64, i64>) -> Vec<TestFailure<'a>>,
) -> Result<(), sqlx::Error> {
    let now = super::now();
    // The clusters: (signature, id).
    let mut ids: HashMap<i64, i64> = HashMap::with_capacity(seen.len());
    for chunk in seen.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO failure_clusters (signature, pattern, example, failures, project_id, first_run_id, first_seen_at, \
               last_run_id, last_job_id, last_seen_at) \
             SELECT v.column1, v.column2, v.column3, v.column4, $1, $2, $4, $2, $3, $4 FROM (VALUES {}) AS v WHERE true \
             ON CONFLICT (project_id, signature) DO UPDATE SET failures = failure_clusters.failures + excluded.failures, \
               last_run_id = excluded.last_run_id, last_job_id = excluded.last_job_id, last_seen_at = excluded.last_seen_at \
             RETURNING signature, id",
            value_rows(chunk.len(), 4, 5)
        );
        let rows: Vec<(i64, i64)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(&sql).persistent(false).bind(at.project_id).bind(at.run_id).bind(at.job_id).bind(now);
            for s in chunk {
                q = q.bind(s.signature).bind(s.pattern).bind(s.example).bind(s.failures);
            }
            q.fetch_all(&mut *c).await
        })?;
        ids.extend(rows);
    }
    // Counter moves per cluster: (tests, jobs).
    let mut counted: HashMap<i64, (i64, i64)> = HashMap::new();
    for chunk in seen.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO cluster_jobs (cluster_id, failures, job_id, run_id, seen_at) \
             SELECT v.column1, v.column2, $1, $2, $3 FROM (VALUES {}) AS v WHERE true \
             ON CONFLICT (cluster_id, job_id) DO UPDATE SET failures = cluster_jobs.failures + excluded.failures, \
               seen_at = excluded.seen_at \
             RETURNING cluster_id, failures",
            value_rows(chunk.len(), 2, 4)
        );
        let rows: Vec<(i64, i64)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(&sql).persistent(false).bind(at.job_id).bind(at.run_id).bind(now);
            for s in chunk {
                q = q.bind(ids[&s.signature]).bind(s.failures);
            }
            q.fetch_all(&mut *c).await
        })?;
        // A row just made holds this upload's count; one moved on, more.
        let made: HashMap<i64, i64> = chunk.iter().map(|s| (ids[&s.signature], s.failures)).collect();
        for (id, failures) in rows {
            if made.get(&id) == Some(&failures) {
                counted.entry(id).or_default().1 += 1;
            }
        }
    }
    let mut failures = failures(&ids);
    failures.sort_by_key(|f| (f.cluster_id, f.test_key));
    for chunk in failures.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO cluster_failures (test_key, cluster_id, job_id) \
             SELECT v.column1, v.column2, $1 FROM (VALUES {}) AS v WHERE true \
             ON CONFLICT (job_id, test_key) DO UPDATE SET cluster_id = excluded.cluster_id",
            value_rows(chunk.len(), 2, 2)
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql).persistent(false).bind(at.job_id);
            for f in chunk {
                q = q.bind(f.test_key).bind(f.cluster_id);
            }
            q.execute(&mut *c).await.map(|_| ())
        })?;
        let sql = format!(
            "INSERT INTO cluster_tests (cluster_id, test_key, suite, classname, name, last_result_id, failures, last_job_id, \
               last_run_id, last_seen_at) \
             SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, 1, $1, $2, $3 \
             FROM (VALUES {}) AS v WHERE true \
             ON CONFLICT (cluster_id, test_key) DO UPDATE SET failures = cluster_tests.failures + 1, \
               last_result_id = excluded.last_result_id, last_job_id = excluded.last_job_id, \
               last_run_id = excluded.last_run_id, last_seen_at = excluded.last_seen_at \
             RETURNING cluster_id, failures",
            value_rows(chunk.len(), 6, 4)
        );
        let rows: Vec<(i64, i64)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(&sql).persistent(false).bind(at.job_id).bind(at.run_id).bind(now);
            for f in chunk {
                q = q.bind(f.cluster_id).bind(f.test_key).bind(f.suite).bind(f.classname).bind(f.name).bind(f.result_id);
            }
            q.fetch_all(&mut *c).await
        })?;
        // A test new to its cluster has this one failure.
        for (id, failures) in rows {
            if failures == 1 {
                counted.entry(id).or_default().0 += 1;
            }
        }
    }
    // The counters, moved on by signature: an upsert finds each row by
    // its unique index (an UPDATE … FROM (VALUES …) scans the table on SQLite).
    let by_id: HashMap<i64, &Seen> = seen.iter().map(|s| (ids[&s.signature], s)).collect();
    let mut counted: Vec<(&Seen, i64, i64)> =
        counted.into_iter().map(|(id, (tests, jobs))| (by_id[&id], tests, jobs)).collect();
    counted.sort_unstable_by_key(|(s, _, _)| s.signature);
    for chunk in counted.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO failure_clusters (signature, pattern, example, tests, jobs, failures, project_id, first_run_id, \
               first_seen_at, last_run_id, last_job_id, last_seen_at) \
             SELECT v.column1, v.column2, v.column3, v.column4, v.column5, 0, $1, $2, $4, $2, $3, $4 \
             FROM (VALUES {}) AS v WHERE true \
             ON CONFLICT (project_id, signature) DO UPDATE SET tests = failure_clusters.tests + excluded.tests, \
               jobs = failure_clusters.jobs + excluded.jobs",
            value_rows(chunk.len(), 5, 5)
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql).persistent(false).bind(at.project_id).bind(at.run_id).bind(at.job_id).bind(now);
            for (s, tests, jobs) in chunk {
                q = q.bind(s.signature).bind(s.pattern).bind(s.example).bind(tests).bind(jobs);
            }
            q.execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
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
