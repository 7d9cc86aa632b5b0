//! Uploads: one row per file stored for a job, of any kind, written by the
//! ingest pipeline ([`crate::ingest`]) and nothing else.

use super::rows::JsonText;
use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::Counts;
use shared::model::{UploadKind, UploadSummary};

pub const UPLOAD_COLUMNS: &str =
    "id, job_id, kind, filename, format, sha256, size_bytes, summary, warnings, created_at";

/// What an upload's kind figured out about it, written once at ingest
/// (the `summary` column). Each kind fills its own part.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// A test report's counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Counts>,
    /// A perf upload's figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perf: Option<PerfFigures>,
    /// A trace upload's figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traces: Option<TraceFigures>,
}

/// What a trace upload held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceFigures {
    pub format: shared::traces::TraceFormat,
    pub traces: i64,
    pub failed: i64,
    pub images: i64,
}

/// What a perf upload held, kept so that a repeated upload is answered
/// without reading its tests again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerfFigures {
    pub format: shared::perf::PerfFormat,
    #[serde(flatten)]
    pub counts: shared::perf::PerfCounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadRow {
    pub id: i64,
    pub job_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: UploadKind,
    pub filename: String,
    pub format: String,
    pub sha256: String,
    pub size_bytes: i64,
    #[sqlx(try_from = "String")]
    pub summary: JsonText<Figures>,
    #[sqlx(try_from = "String")]
    pub warnings: JsonText<Vec<String>>,
    pub created_at: DateTime<Utc>,
}

impl UploadRow {
    pub fn into_json(self) -> UploadSummary {
        UploadSummary {
            id: self.id,
            kind: self.kind,
            filename: self.filename,
            format: self.format,
            sha256: self.sha256,
            size_bytes: self.size_bytes,
            counts: self.summary.0.counts,
            perf: self.summary.0.perf.map(|p| p.counts),
            warnings: self.warnings.0,
            created_at: self.created_at,
        }
    }
}

/// Where an upload's rows belong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub project_id: i64,
    pub run_id: i64,
    pub job_id: i64,
}

/// The upload of this content, of this kind, already stored for the job.
pub async fn find(tx: &mut Tx, job_id: i64, kind: UploadKind, sha256: &str) -> Result<Option<UploadRow>, sqlx::Error> {
    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE job_id = $1 AND kind = $2 AND sha256 = $3");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(job_id).bind(kind.as_str()).bind(sha256).fetch_optional(&mut *c).await)
}

/// Which of these contents are already stored for the job (a read outside
/// any transaction, to skip work on files that will turn out duplicates).
pub async fn known(db: &Db, job_id: i64, kind: UploadKind, sha256s: &[&str]) -> Result<Vec<String>, sqlx::Error> {
    let mut out = Vec::new();
    for sha in sha256s {
        let found: Option<String> = on_db!(db, p => sqlx::query_scalar(
            "SELECT sha256 FROM uploads WHERE job_id = $1 AND kind = $2 AND sha256 = $3"
        ).bind(job_id).bind(kind.as_str()).bind(*sha).fetch_optional(p).await)?;
        out.extend(found);
    }
    Ok(out)
}

/// Inserts the upload's row, or `None` if the same content of this kind
/// was stored for the job meanwhile (by a request that committed while
/// this one waited on the unique index).
pub async fn insert(
    tx: &mut Tx,
    t: Target,
    kind: UploadKind,
    filename: &str,
    sha256: &str,
    size: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO uploads (job_id, run_id, project_id, kind, filename, format, sha256, size_bytes, created_at) \
         VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8) ON CONFLICT (job_id, kind, sha256) DO NOTHING RETURNING id",
    )
    .bind(t.job_id)
    .bind(t.run_id)
    .bind(t.project_id)
    .bind(kind.as_str())
    .bind(filename)
    .bind(sha256)
    .bind(size)
    .bind(super::now())
    .fetch_optional(&mut *c)
    .await)
}

/// Writes what the kind found: its format, figures and warnings.
pub async fn finish(
    tx: &mut Tx,
    upload_id: i64,
    format: &str,
    figures: &Figures,
    warnings: &[String],
) -> Result<(), sqlx::Error> {
    let summary = serde_json::to_string(figures).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let warnings = serde_json::to_string(warnings).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    on_tx!(tx, c => sqlx::query("UPDATE uploads SET format = $1, summary = $2, warnings = $3 WHERE id = $4")
        .bind(format)
        .bind(summary)
        .bind(warnings)
        .bind(upload_id)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}

pub async fn list(db: &Db, job_id: i64) -> Result<Vec<UploadRow>, sqlx::Error> {
    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE job_id = $1 ORDER BY id");
    on_db!(db, p => sqlx::query_as(&sql).bind(job_id).fetch_all(p).await)
}

/// Deletes an upload (and, by cascade, what its kind stored with it).
pub async fn delete(tx: &mut Tx, upload_id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM uploads WHERE id = $1").bind(upload_id).execute(&mut *c).await.map(|_| ()))
}
