//! Regression detection and alert triage.
//!
//! Ingest queues each series it adds points to, in the upload's own
//! transaction, so that a crash loses no analysis; [`analyse_pending`]
//! (run by a worker in every server, and safe to run in several at once)
//! takes queued series, runs change-point detection on their latest runs
//! and writes an alert for every level shift not alerted before — once,
//! at the run it began, whatever is uploaded after.

use super::access::Access;
use crate::db::alerts::{self as store, AlertRow, NewAlert};
use crate::db::rows::ProjectRow;
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use shared::accounts::Role;
use shared::perf::Direction;
use shared::perf::alerts::{
    Alert, AlertList, AlertStatus, Annotation, MAX_ANNOTATION, NewAnnotation, RunRef, TriageAlert,
};
use shared::perf::changepoint::{self, Settings};

/// Runs per series the detector reads (the latest).
pub const WINDOW: i64 = 2_000;
/// Series analysed per batch.
pub const BATCH: i64 = 200;

/// A project's detection settings: its own, else the defaults.
pub async fn project_settings(db: &Db, project_id: i64) -> ApiResult<Settings> {
    let mut s = Settings::default();
    if let Some((alpha, min_magnitude_pct)) = store::settings(db, project_id).await? {
        s.alpha = alpha;
        s.min_magnitude_pct = min_magnitude_pct;
    }
    Ok(s)
}

/// Analyses queued series, a batch at a time, until none is left; the
/// number of alerts written.
pub async fn analyse_pending(db: &Db) -> ApiResult<usize> {
    let mut written = 0;
    loop {
        let batch = store::pending(db, BATCH).await?;
        if batch.is_empty() {
            return Ok(written);
        }
        for (series_id, queued_at) in batch {
            written += analyse(db, series_id, queued_at).await?;
        }
    }
}

async fn analyse(db: &Db, series_id: i64, queued_at: chrono::DateTime<chrono::Utc>) -> ApiResult<usize> {
    let Some(series) = store::series_for_analysis(db, series_id).await? else {
        return Ok(0);
    };
    let mut settings = project_settings(db, series.series.project_id).await?;
    if let Some(a) = series.alpha {
        settings.alpha = a;
    }
    if let Some(m) = series.min_magnitude_pct {
        settings.min_magnitude_pct = m;
    }
    let runs = store::run_values(db, series_id, WINDOW).await?;
    let values: Vec<f64> = runs.iter().map(|r| r.value).collect();
    let direction = series.series.direction;
    // Detection is CPU work: off the async workers.
    let detection = tokio::task::spawn_blocking(move || changepoint::detect(&values, &settings))
        .await
        .map_err(|e| ApiError::internal(format!("detection task failed: {e}")))?;
    let alerted = store::alerted_runs(db, series_id).await?;
    let position = |run_id: i64| runs.iter().position(|r| r.run_id == run_id);
    // (alert, its position in the window, regression?, triaged?)
    let alerted_at: Vec<(i64, usize, bool, bool)> =
        alerted.iter().filter_map(|&(id, run, reg, triaged)| Some((id, position(run)?, reg, triaged))).collect();
    let now = db::now();
    let mut tx = db.begin_write().await?;
    let mut written = 0;
    for c in detection.alerts(&settings) {
        let is_regression = match direction {
            Direction::Lower => c.after > c.before,
            Direction::Higher => c.after < c.before,
        };
        // The same change, found again (or a point or two away) as more runs
        // came: it alerted already; its figures get the better estimate.
        if let Some(&(id, _, was_regression, triaged)) =
            alerted_at.iter().find(|&&(_, at, _, _)| at.abs_diff(c.index) <= settings.min_segment)
        {
            if was_regression == is_regression && !triaged {
                store::refine(&mut tx, id, c.magnitude_pct, c.before, c.after, c.confidence()).await?;
            }
            continue;
        }
        let first_bad = &runs[c.index];
        let alert = NewAlert {
            project_id: series.series.project_id,
            series_id,
            first_bad_run_id: first_bad.run_id,
            first_bad_job_id: first_bad.job_id,
            last_good_run_id: c.index.checked_sub(1).map(|i| runs[i].run_id),
            is_regression,
            magnitude_pct: c.magnitude_pct,
            before: c.before,
            after: c.after,
            confidence: c.confidence(),
        };
        written += usize::from(store::insert(&mut tx, &alert, now).await?);
    }
    store::done(&mut tx, series_id, queued_at).await?;
    tx.commit().await?;
    Ok(written)
}

pub fn alert_json(a: AlertRow, project: &str) -> Alert {
    Alert {
        id: a.alert_id,
        summary_id: a.summary_id,
        project: project.to_owned(),
        first_bad: RunRef { run_id: a.first_bad_run_id, run: a.first_bad_run, revision: a.first_bad_revision },
        first_bad_job_id: a.first_bad_job_id,
        last_good: match (a.last_good_run_id, a.last_good_run) {
            (Some(run_id), Some(run)) => Some(RunRef { run_id, run, revision: a.last_good_revision }),
            _ => None,
        },
        magnitude_pct: a.magnitude_pct,
        direction: if a.is_regression { "regression" } else { "improvement" }.to_owned(),
        confidence: a.confidence,
        before: a.before_value,
        after: a.after_value,
        status: a.status,
        note: a.note,
        triaged_by: a.triaged_by,
        triaged_at: a.triaged_at,
        created_at: a.alert_created_at,
        series: super::perf::series_json(a.series, project),
    }
}

/// A project's alerts, filtered, and the detector's precision over the
/// triaged ones.
pub async fn list(
    db: &Db,
    access: &Access,
    slug: &str,
    status: Option<AlertStatus>,
    series: Option<i64>,
    summary: Option<i64>,
) -> ApiResult<AlertList> {
    let p = super::read::readable(db, access, slug).await?;
    let rows = store::list(db, p.id, status, series, summary, 500).await?;
    let (valid, invalid) = store::triage_counts(db, p.id).await?;
    let precision = (valid + invalid > 0).then(|| valid as f64 / (valid + invalid) as f64);
    Ok(AlertList { alerts: rows.into_iter().map(|a| alert_json(a, &p.slug)).collect(), valid, invalid, precision })
}

/// The alerts of a series the caller may read, for its graph.
pub async fn for_series(db: &Db, access: &Access, series_id: i64) -> ApiResult<Vec<Alert>> {
    let (p, _) = super::perf::readable_series(db, access, series_id).await?;
    Ok(store::for_series(db, series_id).await?.into_iter().map(|a| alert_json(a, &p.slug)).collect())
}

/// Longest note kept with a triage decision.
pub const MAX_NOTE: usize = 4_000;

/// Records a triage decision (members and up), with who made it, in the
/// audit log too.
pub async fn triage(db: &Db, access: &Access, id: i64, t: &TriageAlert) -> ApiResult<Alert> {
    let row = store::by_id(db, id).await?.ok_or_else(|| ApiError::not_found(format!("alert #{id}")))?;
    let p = db::projects::by_id(db, row.series.project_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("alert #{id}")))?;
    if !access.can_read(db, &p).await? {
        return Err(ApiError::not_found(format!("alert #{id}")));
    }
    access.require(db, &p, Role::Member).await?;
    let note = t.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.len() > MAX_NOTE) {
        return Err(ApiError::BadRequest(format!("note: at most {MAX_NOTE} bytes")));
    }
    let by = access.actor().name.clone();
    let mut tx = db.begin_write().await?;
    store::triage(&mut tx, id, t.status, note, &by, db::now()).await?;
    let entry = db::audit::Entry {
        project_id: Some(p.id),
        action: "alert.triage",
        target: format!("alert #{id}: {} / {}", row.series.test, row.series.metric),
        detail: Some(format!("{}{}", t.status.label(), note.map(|n| format!(": {n}")).unwrap_or_default())),
    };
    db::audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    let row = store::by_id(db, id).await?.ok_or_else(|| ApiError::not_found(format!("alert #{id}")))?;
    Ok(alert_json(row, &p.slug))
}

fn annotation_json(a: db::annotations::AnnotationRow, project: &str) -> Annotation {
    Annotation {
        id: a.id,
        project: project.to_owned(),
        at: a.at,
        text: a.text,
        created_by: a.created_by,
        created_at: a.created_at,
    }
}

/// A project's annotations, by time.
pub async fn annotations(db: &Db, access: &Access, slug: &str) -> ApiResult<Vec<Annotation>> {
    let p = super::read::readable(db, access, slug).await?;
    annotations_of(db, &p).await
}

pub async fn annotations_of(db: &Db, p: &ProjectRow) -> ApiResult<Vec<Annotation>> {
    Ok(db::annotations::list(db, p.id).await?.into_iter().map(|a| annotation_json(a, &p.slug)).collect())
}

/// Adds an annotation (members and up), in the audit log too.
pub async fn annotate(db: &Db, access: &Access, slug: &str, new: &NewAnnotation) -> ApiResult<Annotation> {
    let p = super::write::writable(db, access, slug).await?;
    let text = new.text.trim();
    if text.is_empty() {
        return Err(ApiError::BadRequest("text: an annotation needs a text".into()));
    }
    if text.chars().count() > MAX_ANNOTATION || text.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(format!("text: at most {MAX_ANNOTATION} characters, on one line")));
    }
    let now = db::now();
    let at = new.at.unwrap_or(now);
    let by = access.actor().name.clone();
    let mut tx = db.begin_write().await?;
    let row = db::annotations::insert(&mut tx, p.id, at, text, &by, now).await?;
    let entry = db::audit::Entry {
        project_id: Some(p.id),
        action: "annotation.create",
        target: format!("annotation #{}", row.id),
        detail: Some(format!("{}: {text}", at.to_rfc3339())),
    };
    db::audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(annotation_json(row, &p.slug))
}

/// Removes an annotation (members and up).
pub async fn remove_annotation(db: &Db, access: &Access, id: i64) -> ApiResult<()> {
    let missing = || ApiError::not_found(format!("annotation #{id}"));
    let row = db::annotations::by_id(db, id).await?.ok_or_else(missing)?;
    let p = db::projects::by_id(db, row.project_id).await?.ok_or_else(missing)?;
    if !access.can_read(db, &p).await? {
        return Err(missing());
    }
    access.require(db, &p, Role::Member).await?;
    super::access::require_writable(&p)?;
    let mut tx = db.begin_write().await?;
    db::annotations::delete(&mut tx, id).await?;
    let entry = db::audit::Entry {
        project_id: Some(p.id),
        action: "annotation.delete",
        target: format!("annotation #{id}"),
        detail: Some(row.text),
    };
    db::audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(())
}
