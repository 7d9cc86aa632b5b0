//! Regression alerts, their summaries, the queue of series to analyse and
//! the detection settings (see migrations/*/0006_alerts.sql).

use super::perf::{SERIES_COLUMNS, SeriesRow};
use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use shared::perf::alerts::AlertStatus;

/// Queues series for analysis (in the upload's transaction).
pub async fn queue(tx: &mut Tx, series_ids: &[i64], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    for id in series_ids {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO perf_pending (series_id, queued_at) VALUES ($1, $2) \
             ON CONFLICT (series_id) DO UPDATE SET queued_at = excluded.queued_at")
            .bind(id).bind(now).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(())
}

/// Queues every series of a project (its detection settings changed).
pub async fn queue_project(tx: &mut Tx, project_id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO perf_pending (series_id, queued_at) SELECT id, $2 FROM perf_series WHERE project_id = $1 \
         ON CONFLICT (series_id) DO UPDATE SET queued_at = excluded.queued_at")
        .bind(project_id).bind(now).execute(&mut *c).await.map(|_| ()))
}

/// The longest-queued series, with when each was queued.
pub async fn pending(db: &Db, limit: i64) -> Result<Vec<(i64, DateTime<Utc>)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as("SELECT series_id, queued_at FROM perf_pending ORDER BY queued_at, series_id LIMIT $1")
        .bind(limit).fetch_all(p).await)
}

/// Takes a series off the queue, unless it was queued again since.
pub async fn done(tx: &mut Tx, series_id: i64, queued_at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM perf_pending WHERE series_id = $1 AND queued_at = $2")
        .bind(series_id).bind(queued_at).execute(&mut *c).await.map(|_| ()))
}

/// One value per run (the mean of the run's points), oldest first, the
/// latest `window` runs: what the detector reads.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunValue {
    pub run_id: i64,
    pub job_id: i64,
    pub value: f64,
}

pub async fn run_values(db: &Db, series_id: i64, window: i64) -> Result<Vec<RunValue>, sqlx::Error> {
    let sql = "SELECT run_id, MAX(job_id) AS job_id, AVG(value) AS value FROM perf_points WHERE series_id = $1 \
               GROUP BY run_id ORDER BY run_id DESC LIMIT $2";
    let mut rows: Vec<RunValue> = on_db!(db, p => sqlx::query_as(sql).bind(series_id).bind(window).fetch_all(p).await)?;
    rows.reverse();
    Ok(rows)
}

/// The series, for its identity and overrides.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeriesForAnalysis {
    #[sqlx(flatten)]
    pub series: SeriesRow,
    pub alpha: Option<f64>,
    pub min_magnitude_pct: Option<f64>,
}

pub async fn series_for_analysis(db: &Db, id: i64) -> Result<Option<SeriesForAnalysis>, sqlx::Error> {
    let sql = format!("SELECT {SERIES_COLUMNS}, alpha, min_magnitude_pct FROM perf_series WHERE id = $1");
    on_db!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
}

/// The project's detection settings, if it set any.
pub async fn settings(db: &Db, project_id: i64) -> Result<Option<(f64, f64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as("SELECT alpha, min_magnitude_pct FROM perf_settings WHERE project_id = $1")
        .bind(project_id).fetch_optional(p).await)
}

pub async fn save_settings(
    tx: &mut Tx,
    project_id: i64,
    alpha: f64,
    min_magnitude_pct: f64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO perf_settings (project_id, alpha, min_magnitude_pct, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (project_id) DO UPDATE SET alpha = excluded.alpha, min_magnitude_pct = excluded.min_magnitude_pct, \
         updated_at = excluded.updated_at")
        .bind(project_id).bind(alpha).bind(min_magnitude_pct).bind(super::now()).execute(&mut *c).await.map(|_| ()))
}

pub async fn save_series_settings(
    tx: &mut Tx,
    series_id: i64,
    alpha: Option<f64>,
    min_magnitude_pct: Option<f64>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE perf_series SET alpha = $2, min_magnitude_pct = $3 WHERE id = $1")
        .bind(series_id).bind(alpha).bind(min_magnitude_pct).execute(&mut *c).await.map(|_| ()))
}

/// The series' alerts so far: id, first bad run, direction and whether
/// anyone triaged it yet.
pub async fn alerted_runs(db: &Db, series_id: i64) -> Result<Vec<(i64, i64, bool, bool)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT id, first_bad_run_id, is_regression, status <> 'untriaged' FROM perf_alerts WHERE series_id = $1")
        .bind(series_id).fetch_all(p).await)
}

/// Refines an untriaged alert's figures as more runs come after the change
/// (a triaged alert keeps the figures its triage saw).
pub async fn refine(
    tx: &mut Tx,
    id: i64,
    magnitude_pct: f64,
    before: f64,
    after: f64,
    confidence: f64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE perf_alerts SET magnitude_pct = $2, before_value = $3, after_value = $4, confidence = $5 \
         WHERE id = $1 AND status = 'untriaged'")
        .bind(id).bind(magnitude_pct).bind(before).bind(after).bind(confidence).execute(&mut *c).await.map(|_| ()))
}

/// A new alert.
pub struct NewAlert {
    pub project_id: i64,
    pub series_id: i64,
    pub first_bad_run_id: i64,
    pub first_bad_job_id: i64,
    pub last_good_run_id: Option<i64>,
    pub is_regression: bool,
    pub magnitude_pct: f64,
    pub before: f64,
    pub after: f64,
    pub confidence: f64,
}

/// Stores an alert in the summary of its run (created if needed); false if
/// the series already had an alert at that run.
pub async fn insert(tx: &mut Tx, a: &NewAlert, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let summary: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO perf_alert_summaries (project_id, run_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (project_id, run_id) DO UPDATE SET project_id = excluded.project_id RETURNING id")
        .bind(a.project_id).bind(a.first_bad_run_id).bind(now).fetch_one(&mut *c).await)?;
    let inserted: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO perf_alerts (summary_id, series_id, project_id, first_bad_run_id, first_bad_job_id, \
         last_good_run_id, is_regression, magnitude_pct, before_value, after_value, confidence, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (series_id, first_bad_run_id) DO NOTHING RETURNING id")
        .bind(summary).bind(a.series_id).bind(a.project_id).bind(a.first_bad_run_id).bind(a.first_bad_job_id)
        .bind(a.last_good_run_id).bind(a.is_regression).bind(a.magnitude_pct).bind(a.before).bind(a.after)
        .bind(a.confidence).bind(now).fetch_optional(&mut *c).await)?;
    if inserted.is_none() {
        return Ok(false);
    }
    let column = if a.is_regression { "regressions" } else { "improvements" };
    let sql = format!("UPDATE perf_alert_summaries SET {column} = {column} + 1 WHERE id = $1");
    on_tx!(tx, c => sqlx::query(&sql).bind(summary).execute(&mut *c).await.map(|_| ()))?;
    Ok(true)
}

pub const ALERT_COLUMNS: &str = "a.id AS alert_id, a.summary_id, a.first_bad_run_id, fb.name AS first_bad_run, \
    fb.revision AS first_bad_revision, a.first_bad_job_id, a.last_good_run_id, lg.name AS last_good_run, \
    lg.revision AS last_good_revision, a.is_regression, a.magnitude_pct, a.before_value, a.after_value, a.confidence, \
    a.status, a.note, a.triaged_by, a.triaged_at, a.created_at AS alert_created_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRow {
    pub alert_id: i64,
    pub summary_id: i64,
    pub first_bad_run_id: i64,
    pub first_bad_run: String,
    pub first_bad_revision: Option<String>,
    pub first_bad_job_id: i64,
    pub last_good_run_id: Option<i64>,
    pub last_good_run: Option<String>,
    pub last_good_revision: Option<String>,
    pub is_regression: bool,
    pub magnitude_pct: f64,
    pub before_value: f64,
    pub after_value: f64,
    pub confidence: f64,
    #[sqlx(try_from = "String")]
    pub status: AlertStatus,
    pub note: Option<String>,
    pub triaged_by: Option<String>,
    pub triaged_at: Option<DateTime<Utc>>,
    pub alert_created_at: DateTime<Utc>,
    #[sqlx(flatten)]
    pub series: SeriesRow,
}

fn alert_select() -> String {
    let series: Vec<String> = SERIES_COLUMNS.split(", ").map(|c| format!("s.{c}")).collect();
    format!(
        "SELECT {ALERT_COLUMNS}, {} FROM perf_alerts a JOIN perf_series s ON s.id = a.series_id \
         JOIN runs fb ON fb.id = a.first_bad_run_id LEFT JOIN runs lg ON lg.id = a.last_good_run_id",
        series.join(", ")
    )
}

/// A project's alerts, newest first, by status and series.
pub async fn list(
    db: &Db,
    project_id: i64,
    status: Option<AlertStatus>,
    series_id: Option<i64>,
    summary_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AlertRow>, sqlx::Error> {
    let sql = format!(
        "{} WHERE a.project_id = $1 AND ($2 IS NULL OR a.status = $2) AND ($3 IS NULL OR a.series_id = $3) \
         AND ($4 IS NULL OR a.summary_id = $4) ORDER BY a.id DESC LIMIT $5",
        alert_select()
    );
    on_db!(db, p => sqlx::query_as(&sql).bind(project_id).bind(status.map(|s| s.as_str())).bind(series_id)
        .bind(summary_id).bind(limit).fetch_all(p).await)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<AlertRow>, sqlx::Error> {
    let sql = format!("{} WHERE a.id = $1", alert_select());
    on_db!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
}

/// Alerts of several series (for their graph).
pub async fn for_series(db: &Db, series_id: i64) -> Result<Vec<AlertRow>, sqlx::Error> {
    let sql = format!("{} WHERE a.series_id = $1 ORDER BY a.first_bad_run_id", alert_select());
    on_db!(db, p => sqlx::query_as(&sql).bind(series_id).fetch_all(p).await)
}

pub async fn triage(
    tx: &mut Tx,
    id: i64,
    status: AlertStatus,
    note: Option<&str>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE perf_alerts SET status = $2, note = $3, triaged_by = $4, triaged_at = $5 WHERE id = $1")
        .bind(id).bind(status.as_str()).bind(note).bind(by).bind(now).execute(&mut *c).await.map(|_| ()))
}

/// Alerts of the project triaged valid and invalid.
pub async fn triage_counts(db: &Db, project_id: i64) -> Result<(i64, i64), sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status <> 'untriaged' AND status <> 'invalid' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN status = 'invalid' THEN 1 ELSE 0 END), 0) FROM perf_alerts WHERE project_id = $1")
        .bind(project_id).fetch_one(p).await)
}
