//! Flaky-test bookkeeping (see migrations/*/0012_flaky_tests.sql): a
//! project's rules, each job key's windows blob, the flaky tests.

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use shared::analytics::flaky::FlakyRules;

/// The project's rules (the defaults unless it set its own).
pub async fn rules_in(tx: &mut Tx, project_id: i64) -> Result<FlakyRules, sqlx::Error> {
    let text: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT rules FROM flaky_settings WHERE project_id = $1")
        .bind(project_id).fetch_optional(&mut *c).await)?;
    decode_rules(text)
}

pub async fn rules(db: &Db, project_id: i64) -> Result<FlakyRules, sqlx::Error> {
    let text: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT rules FROM flaky_settings WHERE project_id = $1")
        .bind(project_id).fetch_optional(p).await)?;
    decode_rules(text)
}

fn decode_rules(text: Option<String>) -> Result<FlakyRules, sqlx::Error> {
    match text {
        None => Ok(FlakyRules::default()),
        Some(t) => serde_json::from_str(&t).map_err(|e| super::decode_error("flaky_settings.rules", e.to_string())),
    }
}

pub async fn save_rules(tx: &mut Tx, project_id: i64, rules: &FlakyRules) -> Result<(), sqlx::Error> {
    let text = serde_json::to_string(rules).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO flaky_settings (project_id, rules, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (project_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at")
        .bind(project_id).bind(text).bind(super::now()).execute(&mut *c).await.map(|_| ()))
}

/// A job key's windows blob, locked until the transaction ends (on
/// PostgreSQL; SQLite's writers already take turns).
pub async fn windows_for_update(tx: &mut Tx, project_id: i64, job_key: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    match tx {
        Tx::Sqlite(c) => {
            sqlx::query_scalar("SELECT windows FROM test_windows WHERE project_id = $1 AND job_key = $2")
                .bind(project_id)
                .bind(job_key)
                .fetch_optional(&mut **c)
                .await
        }
        Tx::Postgres(c) => {
            // Taken before reading so that two uploads of one job key
            // never both start from the same blob.
            sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
                .bind(project_id as i32)
                .bind(job_key)
                .execute(&mut **c)
                .await?;
            sqlx::query_scalar("SELECT windows FROM test_windows WHERE project_id = $1 AND job_key = $2")
                .bind(project_id)
                .bind(job_key)
                .fetch_optional(&mut **c)
                .await
        }
    }
}

pub async fn save_windows(tx: &mut Tx, project_id: i64, job_key: &str, blob: &[u8]) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO test_windows (project_id, job_key, windows, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (project_id, job_key) DO UPDATE SET windows = excluded.windows, updated_at = excluded.updated_at")
        .bind(project_id).bind(job_key).bind(blob).bind(super::now()).execute(&mut *c).await.map(|_| ()))
}

/// Other jobs of this key on runs of the same revision.
pub async fn same_revision_jobs(
    tx: &mut Tx,
    project_id: i64,
    revision: &str,
    job_key: &str,
    except_job: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT j.id, r.id FROM runs r JOIN jobs j ON j.run_id = r.id AND j.key = $3 \
         WHERE r.project_id = $1 AND r.revision = $2 AND j.id <> $4 ORDER BY j.id DESC LIMIT 20")
        .bind(project_id).bind(revision).bind(job_key).bind(except_job).fetch_all(&mut *c).await)
}

/// A job's digests, in the transaction.
pub async fn job_digests_in(tx: &mut Tx, job_id: i64) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT digest FROM test_digests WHERE job_id = $1 ORDER BY upload_id")
        .bind(job_id).fetch_all(&mut *c).await)
}

/// One flake observed at ingest.
#[derive(Debug, Clone)]
pub struct Flake<'a> {
    pub project_id: i64,
    pub job_key: &'a str,
    pub name: &'a super::analytics::NamedResult,
    pub rule: &'static str,
    pub trend: String,
    pub rate: f64,
    pub run_id: i64,
    pub job_id: i64,
    pub other_run_id: Option<i64>,
}

pub async fn record_flake(tx: &mut Tx, f: &Flake<'_>) -> Result<(), sqlx::Error> {
    let now = super::now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO flaky_tests (project_id, job_key, test_key, suite, classname, name, rule, flaky, flakes, trend, rate, \
           first_flake_at, last_flake_at, last_run_id, last_job_id, last_result_id, other_run_id, recovered_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, 1, $8, $9, $10, $10, $11, $12, $13, $14, NULL, $10) \
         ON CONFLICT (project_id, job_key, test_key) DO UPDATE SET rule = excluded.rule, flaky = TRUE, \
           flakes = flaky_tests.flakes + 1, trend = excluded.trend, rate = excluded.rate, \
           last_flake_at = excluded.last_flake_at, last_run_id = excluded.last_run_id, last_job_id = excluded.last_job_id, \
           last_result_id = excluded.last_result_id, other_run_id = excluded.other_run_id, recovered_at = NULL, \
           updated_at = excluded.updated_at")
        .bind(f.project_id).bind(f.job_key).bind(f.name.test_key).bind(&f.name.suite).bind(&f.name.classname)
        .bind(&f.name.name).bind(f.rule).bind(&f.trend).bind(f.rate).bind(now).bind(f.run_id).bind(f.job_id)
        .bind(f.name.id).bind(f.other_run_id)
        .execute(&mut *c).await.map(|_| ()))
}

/// A flaky test recovered: its last trend kept with it.
pub async fn recovered(
    tx: &mut Tx,
    project_id: i64,
    job_key: &str,
    test_key: i64,
    trend: &str,
    rate: f64,
) -> Result<(), sqlx::Error> {
    let now = super::now();
    on_tx!(tx, c => sqlx::query(
        "UPDATE flaky_tests SET trend = $4, rate = $5, updated_at = $6, flaky = FALSE, recovered_at = $6 \
         WHERE project_id = $1 AND job_key = $2 AND test_key = $3")
        .bind(project_id).bind(job_key).bind(test_key).bind(trend).bind(rate).bind(now)
        .execute(&mut *c).await.map(|_| ()))
}

/// A job key's windows, for reading.
pub async fn windows(db: &Db, project_id: i64, job_key: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar("SELECT windows FROM test_windows WHERE project_id = $1 AND job_key = $2")
        .bind(project_id).bind(job_key).fetch_optional(p).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FlakyRow {
    pub job_key: String,
    pub test_key: i64,
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub rule: String,
    pub flaky: bool,
    pub flakes: i64,
    pub trend: String,
    pub rate: f64,
    pub first_flake_at: DateTime<Utc>,
    pub last_flake_at: DateTime<Utc>,
    pub last_run_id: i64,
    /// `None` once that run was deleted.
    pub last_run: Option<String>,
    pub last_job_id: i64,
    pub last_result_id: i64,
    pub other_run_id: Option<i64>,
    pub other_run: Option<String>,
    pub recovered_at: Option<DateTime<Utc>>,
}

/// A project's flaky tests (and, with `recovered`, those that recovered).
pub async fn list(db: &Db, project_id: i64, recovered: bool) -> Result<Vec<FlakyRow>, sqlx::Error> {
    let cond = if recovered { "" } else { " AND f.flaky = TRUE" };
    let sql = format!(
        "SELECT f.job_key, f.test_key, f.suite, f.classname, f.name, f.rule, f.flaky, f.flakes, f.trend, f.rate, \
           f.first_flake_at, f.last_flake_at, f.last_run_id, r.name AS last_run, f.last_job_id, f.last_result_id, \
           f.other_run_id, o.name AS other_run, f.recovered_at \
         FROM flaky_tests f LEFT JOIN runs r ON r.id = f.last_run_id LEFT JOIN runs o ON o.id = f.other_run_id \
         WHERE f.project_id = $1{cond} ORDER BY f.last_flake_at DESC, f.name LIMIT 5000"
    );
    on_db!(db, p => sqlx::query_as(&sql).bind(project_id).fetch_all(p).await)
}

/// Which of these tests of a job key are flaky now, with the rule.
pub async fn marks(db: &Db, project_id: i64, job_key: &str, keys: &[i64]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let list = keys.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT test_key, rule FROM flaky_tests WHERE project_id = $1 AND job_key = $2 AND flaky = TRUE AND test_key IN ({list})"
    );
    on_db!(db, p => sqlx::query_as(&sql).bind(project_id).bind(job_key).fetch_all(p).await)
}

/// The properties of these results, by id (owners of flaky tests).
pub async fn result_properties(db: &Db, ids: &[i64]) -> Result<Vec<(i64, Vec<shared::model::Property>)>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT id, properties FROM test_results WHERE id IN ({list}) AND properties IS NOT NULL");
        let rows: Vec<(i64, String)> = on_db!(db, p => sqlx::query_as(&sql).fetch_all(p).await)?;
        for (id, text) in rows {
            let props = serde_json::from_str(&text)
                .map_err(|e| super::decode_error("test_results.properties", e.to_string()))?;
            out.push((id, props));
        }
    }
    Ok(out)
}
