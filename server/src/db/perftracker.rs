//! PerfTracker's front door: its jobs by uuid (see
//! migrations/*/0007_perftracker.sql), and replacing a job's perf results.

use super::Tx;
use crate::db::alerts;
use crate::on_tx;
use chrono::{DateTime, Utc};
use shared::model::UploadKind;

/// The Assay job of a PerfTracker job uuid.
pub async fn find_job(tx: &mut Tx, project_id: i64, uuid: &str) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT job_id FROM perftracker_jobs WHERE project_id = $1 AND uuid = $2")
        .bind(project_id).bind(uuid).fetch_optional(&mut *c).await)
}

/// Records the uuid's job (a concurrent first upload of the same uuid found
/// the same run and job, so a conflict is the same row).
pub async fn insert_job(
    tx: &mut Tx,
    project_id: i64,
    uuid: &str,
    job_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO perftracker_jobs (project_id, uuid, job_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (project_id, uuid) DO UPDATE SET updated_at = excluded.updated_at")
        .bind(project_id).bind(uuid).bind(job_id).bind(now).execute(&mut *c).await.map(|_| ()))
}

/// The uuid of a job that came through the door.
pub async fn uuid_of(db: &super::Db, job_id: i64) -> Result<Option<String>, sqlx::Error> {
    crate::on_db!(db, p => sqlx::query_scalar("SELECT uuid FROM perftracker_jobs WHERE job_id = $1")
        .bind(job_id).fetch_optional(p).await)
}

/// The SHA-256 of every perf file stored for the job.
pub async fn perf_uploads(tx: &mut Tx, job_id: i64) -> Result<Vec<String>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT sha256 FROM uploads WHERE job_id = $1 AND kind = $2 ORDER BY id")
        .bind(job_id).bind(UploadKind::PerfResult.as_str()).fetch_all(&mut *c).await)
}

/// The job's perf tests as PerfTracker keys them: (group, tag, category).
pub async fn test_keys(tx: &mut Tx, job_id: i64) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as("SELECT test_group, name, category FROM perf_tests WHERE job_id = $1")
        .bind(job_id).fetch_all(&mut *c).await)
}

/// Removes the job's perf results (uploads, tests, points) and their
/// roll-ups, so that an upload replaces them. The series they were on get
/// their counts and last values again and are queued for detection anew.
/// Returns how many uploads went.
pub async fn clear_perf(tx: &mut Tx, job_id: i64, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    let series: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT DISTINCT series_id FROM perf_points WHERE job_id = $1")
        .bind(job_id).fetch_all(&mut *c).await)?;
    let removed = on_tx!(tx, c => sqlx::query("DELETE FROM uploads WHERE job_id = $1 AND kind = $2")
        .bind(job_id).bind(UploadKind::PerfResult.as_str()).execute(&mut *c).await.map(|r| r.rows_affected()))?
        as i64;
    on_tx!(tx, c => sqlx::query(
        "UPDATE jobs SET perf_tests = 0, perf_metrics = 0, regression = NULL, \
         upload_count = upload_count - $2 WHERE id = $1")
        .bind(job_id).bind(removed).execute(&mut *c).await.map(|_| ()))?;
    for id in &series {
        on_tx!(tx, c => sqlx::query(
            "UPDATE perf_series SET point_count = (SELECT COUNT(*) FROM perf_points WHERE series_id = $1), \
             last_value = (SELECT value FROM perf_points WHERE series_id = $1 ORDER BY run_id DESC, id DESC LIMIT 1), \
             updated_at = $2 WHERE id = $1")
            .bind(id).bind(now).execute(&mut *c).await.map(|_| ()))?;
    }
    alerts::queue(tx, &series, now).await?;
    Ok(removed)
}

/// A run's name, in the transaction.
pub async fn run_name(tx: &mut Tx, run_id: i64) -> Result<String, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT name FROM runs WHERE id = $1").bind(run_id).fetch_one(&mut *c).await)
}

/// How many of the job's perf tests failed.
pub async fn failed_tests(tx: &mut Tx, job_id: i64) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM perf_tests WHERE job_id = $1 AND status = 'failed'")
        .bind(job_id).fetch_one(&mut *c).await)
}

/// One of PerfTracker's artifacts, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArtifactRow {
    pub id: i64,
    pub project_id: i64,
    pub uuid: String,
    pub sha256: Option<String>,
    pub size_bytes: i64,
    pub filename: String,
    pub mime: String,
    pub description: String,
    pub ttl_days: i64,
    pub inline: bool,
    pub compression: bool,
    pub uploaded_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

const ARTIFACT_COLUMNS: &str = "id, project_id, uuid, sha256, size_bytes, filename, mime, description, ttl_days, \
    inline, compression, uploaded_at, expires_at, deleted_at";

pub async fn artifact(db: &super::Db, uuid: &str) -> Result<Option<ArtifactRow>, sqlx::Error> {
    let sql = format!("SELECT {ARTIFACT_COLUMNS} FROM perftracker_artifacts WHERE uuid = $1");
    crate::on_db!(db, p => sqlx::query_as(&sql).bind(uuid).fetch_optional(p).await)
}

pub async fn artifact_in(tx: &mut Tx, uuid: &str) -> Result<Option<ArtifactRow>, sqlx::Error> {
    let sql = format!("SELECT {ARTIFACT_COLUMNS} FROM perftracker_artifacts WHERE uuid = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(uuid).fetch_optional(&mut *c).await)
}

/// The artifacts (not deleted) of these projects, newest first.
pub async fn artifacts(
    db: &super::Db,
    projects: &[i64],
    start: i64,
    length: i64,
) -> Result<Vec<ArtifactRow>, sqlx::Error> {
    if projects.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = projects.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT {ARTIFACT_COLUMNS} FROM perftracker_artifacts WHERE deleted_at IS NULL AND project_id IN ({}) \
         ORDER BY uploaded_at DESC, id DESC LIMIT $1 OFFSET $2",
        ids.join(", ")
    );
    crate::on_db!(db, p => sqlx::query_as(&sql).bind(length).bind(start).fetch_all(p).await)
}

/// The artifacts linked to a uuid (a job's), not deleted.
pub async fn artifacts_linked_to(db: &super::Db, uuid: &str) -> Result<Vec<ArtifactRow>, sqlx::Error> {
    let cols: Vec<String> = ARTIFACT_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect();
    let sql = format!(
        "SELECT {} FROM perftracker_artifacts a JOIN perftracker_artifact_links l ON l.artifact_id = a.id \
         WHERE l.linked_uuid = $1 AND a.deleted_at IS NULL ORDER BY a.uploaded_at, a.id",
        cols.join(", ")
    );
    crate::on_db!(db, p => sqlx::query_as(&sql).bind(uuid).fetch_all(p).await)
}

pub async fn links(db: &super::Db, artifact_id: i64) -> Result<Vec<String>, sqlx::Error> {
    crate::on_db!(db, p => sqlx::query_scalar(
        "SELECT linked_uuid FROM perftracker_artifact_links WHERE artifact_id = $1 ORDER BY linked_uuid")
        .bind(artifact_id).fetch_all(p).await)
}

/// The links of several artifacts, in one query.
pub async fn links_of(
    db: &super::Db,
    artifact_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>, sqlx::Error> {
    let mut out: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    if artifact_ids.is_empty() {
        return Ok(out);
    }
    // Ids are numbers from the database: listed inline, as `artifacts` does.
    let ids: Vec<String> = artifact_ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT artifact_id, linked_uuid FROM perftracker_artifact_links WHERE artifact_id IN ({}) \
         ORDER BY artifact_id, linked_uuid",
        ids.join(", ")
    );
    let rows: Vec<(i64, String)> = crate::on_db!(db, p => sqlx::query_as(&sql).fetch_all(p).await)?;
    for (id, uuid) in rows {
        out.entry(id).or_default().push(uuid);
    }
    Ok(out)
}

/// What an artifact POST sets (`None`: kept as it is).
#[derive(Debug, Clone, Default)]
pub struct ArtifactChange {
    /// New content: sha256 and size.
    pub content: Option<(String, i64)>,
    pub filename: Option<String>,
    pub mime: Option<String>,
    pub description: Option<String>,
    pub ttl_days: Option<i64>,
    pub inline: Option<bool>,
    pub compression: Option<bool>,
}

/// Creates the artifact (its content given) or updates it; every POST
/// restarts its time to live, as in PerfTracker. Returns its id and
/// whether it was created.
pub async fn save_artifact(
    tx: &mut Tx,
    project_id: i64,
    uuid: &str,
    existing: Option<&ArtifactRow>,
    ch: &ArtifactChange,
    default_mime: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let ttl = ch.ttl_days.or(existing.map(|e| e.ttl_days)).unwrap_or(180);
    let expires = now + chrono::Duration::days(ttl);
    match existing {
        None => {
            let (sha, size) = ch.content.clone().unwrap_or_default();
            on_tx!(tx, c => sqlx::query_scalar(
                "INSERT INTO perftracker_artifacts (project_id, uuid, sha256, size_bytes, filename, mime, description, \
                 ttl_days, inline, compression, uploaded_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id")
                .bind(project_id).bind(uuid).bind(sha).bind(size)
                .bind(ch.filename.clone().unwrap_or_else(|| "artifact".into()))
                .bind(ch.mime.clone().unwrap_or_else(|| default_mime.to_owned()))
                .bind(ch.description.clone().unwrap_or_default()).bind(ttl)
                .bind(ch.inline.unwrap_or(false)).bind(ch.compression.unwrap_or(false))
                .bind(now).bind(expires).fetch_one(&mut *c).await)
        }
        Some(e) => {
            let (sha, size) = match &ch.content {
                Some((s, n)) => (Some(s.clone()), *n),
                None => (e.sha256.clone(), e.size_bytes),
            };
            on_tx!(tx, c => sqlx::query(
                "UPDATE perftracker_artifacts SET sha256 = $2, size_bytes = $3, filename = $4, mime = $5, \
                 description = $6, ttl_days = $7, inline = $8, compression = $9, uploaded_at = $10, expires_at = $11, \
                 deleted_at = CASE WHEN $12 THEN NULL ELSE deleted_at END WHERE id = $1")
                .bind(e.id).bind(sha).bind(size)
                .bind(ch.filename.clone().unwrap_or_else(|| e.filename.clone()))
                .bind(ch.mime.clone().unwrap_or_else(|| e.mime.clone()))
                .bind(ch.description.clone().unwrap_or_else(|| e.description.clone())).bind(ttl)
                .bind(ch.inline.unwrap_or(e.inline)).bind(ch.compression.unwrap_or(e.compression))
                .bind(now).bind(expires).bind(ch.content.is_some())
                .execute(&mut *c).await.map(|_| e.id))
        }
    }
}

pub async fn link(tx: &mut Tx, artifact_id: i64, uuids: &[String]) -> Result<(), sqlx::Error> {
    for u in uuids {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO perftracker_artifact_links (artifact_id, linked_uuid) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(artifact_id).bind(u).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(())
}

pub async fn unlink(tx: &mut Tx, artifact_id: i64, uuids: &[String]) -> Result<(), sqlx::Error> {
    for u in uuids {
        on_tx!(tx, c => sqlx::query("DELETE FROM perftracker_artifact_links WHERE artifact_id = $1 AND linked_uuid = $2")
            .bind(artifact_id).bind(u).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(())
}

/// Marks the artifact deleted and lets its content go (pruning removes the
/// blob once nothing else refers to it).
pub async fn delete_artifact(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE perftracker_artifacts SET sha256 = NULL, deleted_at = COALESCE(deleted_at, $2) WHERE id = $1")
        .bind(id).bind(now).execute(&mut *c).await.map(|_| ()))
}

/// Deletes the content of artifacts past their time to live; how many.
pub async fn expire_artifacts(db: &super::Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    crate::on_db!(db, p => sqlx::query(
        "UPDATE perftracker_artifacts SET sha256 = NULL, deleted_at = expires_at \
         WHERE deleted_at IS NULL AND expires_at < $1")
        .bind(now).execute(p).await.map(|r| r.rows_affected()))
}
