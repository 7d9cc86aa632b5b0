//! Rendering traces: traces per device, their results per job, their
//! images and the references accepted in Assay.

use super::rows::JsonText;
use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use shared::pixeldiff::Region;
use shared::traces::TraceStatus;
use shared::traces::model::{ReferenceChange, TraceImage, TraceResultView};

/// A decoded, checked image, ready for its row.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    pub sha256: String,
    pub size: i64,
    pub checksum: String,
    pub width: u32,
    pub height: u32,
}

/// Records an image (its blob row too); the same content is kept once.
pub async fn insert_image(tx: &mut Tx, img: &ImageInfo) -> Result<(), sqlx::Error> {
    super::blobs::insert(tx, &img.sha256, img.size).await?;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO trace_images (sha256, checksum, width, height, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (sha256) DO NOTHING"
    )
    .bind(&img.sha256).bind(&img.checksum).bind(img.width as i64).bind(img.height as i64).bind(super::now())
    .execute(&mut *c).await.map(|_| ()))
}

/// An image whose pixels have this checksum, if one was ever stored.
pub async fn image_with_checksum(tx: &mut Tx, checksum: &str) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT sha256 FROM trace_images WHERE checksum = $1 ORDER BY created_at LIMIT 1"
    ).bind(checksum).fetch_optional(&mut *c).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImageRow {
    pub sha256: String,
    pub checksum: String,
    pub width: i64,
    pub height: i64,
    pub thumb_sha256: Option<String>,
}

pub async fn image(db: &Db, sha256: &str) -> Result<Option<ImageRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT sha256, checksum, width, height, thumb_sha256 FROM trace_images WHERE sha256 = $1"
    ).bind(sha256).fetch_optional(p).await)
}

/// Records an image's thumbnail, written to the store as a blob.
pub async fn set_thumb(tx: &mut Tx, sha256: &str, thumb: &str, thumb_size: i64) -> Result<(), sqlx::Error> {
    super::blobs::insert(tx, thumb, thumb_size).await?;
    on_tx!(tx, c => sqlx::query("UPDATE trace_images SET thumb_sha256 = $1 WHERE sha256 = $2")
        .bind(thumb).bind(sha256).execute(&mut *c).await.map(|_| ()))
}

/// A trace on a device, as ingest needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TraceRow {
    pub id: i64,
    pub reference_checksum: Option<String>,
    pub reference_image: Option<String>,
    pub result_count: i64,
}

/// The trace on this device, created on first sight.
pub async fn upsert_trace(tx: &mut Tx, project_id: i64, name: &str, device: &str) -> Result<TraceRow, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO traces (project_id, name, device, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (project_id, name, device) DO NOTHING"
    ).bind(project_id).bind(name).bind(device).bind(super::now()).execute(&mut *c).await.map(|_| ()))?;
    on_tx!(tx, c => sqlx::query_as(
        "SELECT id, reference_checksum, reference_image, result_count FROM traces \
         WHERE project_id = $1 AND name = $2 AND device = $3"
    ).bind(project_id).bind(name).bind(device).fetch_one(&mut *c).await)
}

/// A result to store.
pub struct NewResult<'a> {
    pub trace_id: i64,
    pub seq: i64,
    pub status: TraceStatus,
    pub expected_checksum: Option<&'a str>,
    pub reported_checksum: Option<&'a str>,
    pub actual_checksum: Option<&'a str>,
    pub actual_image: Option<&'a str>,
    pub expected_image: Option<&'a str>,
    pub text: Option<&'a str>,
    pub label: Option<String>,
}

pub async fn insert_result(
    tx: &mut Tx,
    target: super::uploads::Target,
    upload_id: i64,
    r: &NewResult<'_>,
) -> Result<i64, sqlx::Error> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO trace_results (trace_id, job_id, run_id, project_id, upload_id, seq, status, expected_checksum, \
         reported_checksum, actual_checksum, actual_image, expected_image, text, label, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id"
    )
    .bind(r.trace_id).bind(target.job_id).bind(target.run_id).bind(target.project_id).bind(upload_id).bind(r.seq)
    .bind(r.status.as_str()).bind(r.expected_checksum).bind(r.reported_checksum).bind(r.actual_checksum)
    .bind(r.actual_image).bind(r.expected_image).bind(r.text).bind(&r.label).bind(super::now())
    .fetch_one(&mut *c).await)?;
    on_tx!(tx, c => sqlx::query("UPDATE traces SET result_count = result_count + 1 WHERE id = $1")
        .bind(r.trace_id).execute(&mut *c).await.map(|_| ()))?;
    Ok(id)
}

/// Adds to the job's roll-up: results stored, and those that fail it.
pub async fn add_to_job(tx: &mut Tx, job_id: i64, count: i64, failed: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE jobs SET trace_count = trace_count + $2, trace_failed = trace_failed + $3 WHERE id = $1"
    ).bind(job_id).bind(count).bind(failed).execute(&mut *c).await.map(|_| ()))
}

/// Trace results with their trace and images: every reading of results.
const RESULT_SELECT: &str = "SELECT r.id, r.trace_id, t.name, t.device, r.status, r.expected_checksum, \
    r.reported_checksum, r.actual_checksum, r.text, r.job_id, r.run_id, r.created_at, \
    ru.name AS run_name, j.name AS job_name, \
    a.sha256 AS a_sha, a.checksum AS a_sum, a.width AS a_w, a.height AS a_h, \
    e.sha256 AS e_sha, e.checksum AS e_sum, e.width AS e_w, e.height AS e_h \
    FROM trace_results r JOIN traces t ON t.id = r.trace_id \
    JOIN runs ru ON ru.id = r.run_id JOIN jobs j ON j.id = r.job_id \
    LEFT JOIN trace_images a ON a.sha256 = r.actual_image \
    LEFT JOIN trace_images e ON e.sha256 = COALESCE(r.expected_image, \
        (SELECT i.sha256 FROM trace_images i WHERE i.checksum = r.expected_checksum ORDER BY i.created_at LIMIT 1))";

#[derive(Debug, Clone, sqlx::FromRow)]
struct ResultRow {
    id: i64,
    trace_id: i64,
    name: String,
    device: String,
    #[sqlx(try_from = "String")]
    status: TraceStatus,
    expected_checksum: Option<String>,
    reported_checksum: Option<String>,
    actual_checksum: Option<String>,
    text: Option<String>,
    job_id: i64,
    run_id: i64,
    created_at: DateTime<Utc>,
    run_name: String,
    job_name: String,
    a_sha: Option<String>,
    a_sum: Option<String>,
    a_w: Option<i64>,
    a_h: Option<i64>,
    e_sha: Option<String>,
    e_sum: Option<String>,
    e_w: Option<i64>,
    e_h: Option<i64>,
}

fn image_of(sha: Option<String>, sum: Option<String>, w: Option<i64>, h: Option<i64>) -> Option<TraceImage> {
    Some(TraceImage { sha256: sha?, checksum: sum?, width: w? as u32, height: h? as u32 })
}

impl ResultRow {
    fn into_json(self) -> TraceResultView {
        TraceResultView {
            id: self.id,
            trace_id: self.trace_id,
            name: self.name,
            device: self.device,
            status: self.status,
            expected_checksum: self.expected_checksum,
            reported_checksum: self.reported_checksum,
            actual_checksum: self.actual_checksum,
            actual_image: image_of(self.a_sha, self.a_sum, self.a_w, self.a_h),
            expected_image: image_of(self.e_sha, self.e_sum, self.e_w, self.e_h),
            text: self.text,
            job_id: self.job_id,
            run_id: self.run_id,
            run_name: self.run_name,
            job_name: self.job_name,
            created_at: self.created_at,
        }
    }
}

/// A job's results, in upload order (the caller sorts them).
pub async fn job_results(db: &Db, job_id: i64) -> Result<Vec<TraceResultView>, sqlx::Error> {
    let sql = format!("{RESULT_SELECT} WHERE r.job_id = $1 ORDER BY r.id");
    let rows: Vec<ResultRow> = on_db!(db, p => sqlx::query_as(&sql).bind(job_id).fetch_all(p).await)?;
    Ok(rows.into_iter().map(ResultRow::into_json).collect())
}

/// One result, within a project.
pub async fn result(db: &Db, project_id: i64, id: i64) -> Result<Option<TraceResultView>, sqlx::Error> {
    let sql = format!("{RESULT_SELECT} WHERE r.id = $1 AND r.project_id = $2");
    let row: Option<ResultRow> =
        on_db!(db, p => sqlx::query_as(&sql).bind(id).bind(project_id).fetch_optional(p).await)?;
    Ok(row.map(ResultRow::into_json))
}

/// A trace's results, newest first.
pub async fn history(db: &Db, trace_id: i64, limit: i64) -> Result<Vec<TraceResultView>, sqlx::Error> {
    let sql = format!("{RESULT_SELECT} WHERE r.trace_id = $1 ORDER BY r.id DESC LIMIT $2");
    let rows: Vec<ResultRow> = on_db!(db, p => sqlx::query_as(&sql).bind(trace_id).bind(limit).fetch_all(p).await)?;
    Ok(rows.into_iter().map(ResultRow::into_json).collect())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TraceInfoRow {
    pub id: i64,
    pub name: String,
    pub device: String,
    pub reference_checksum: Option<String>,
    pub reference_image: Option<String>,
    #[sqlx(try_from = "String")]
    pub ignore_regions: JsonText<Vec<Region>>,
}

pub async fn trace(db: &Db, project_id: i64, id: i64) -> Result<Option<TraceInfoRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT id, name, device, reference_checksum, reference_image, ignore_regions FROM traces \
         WHERE id = $1 AND project_id = $2"
    ).bind(id).bind(project_id).fetch_optional(p).await)
}

pub async fn image_view(db: &Db, sha256: &str) -> Result<Option<TraceImage>, sqlx::Error> {
    Ok(image(db, sha256).await?.map(|r| TraceImage {
        sha256: r.sha256,
        checksum: r.checksum,
        width: r.width as u32,
        height: r.height as u32,
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ReferenceRow {
    checksum: String,
    image: Option<String>,
    previous_checksum: Option<String>,
    result_id: Option<i64>,
    accepted_by: String,
    note: Option<String>,
    created_at: DateTime<Utc>,
}

pub async fn references(db: &Db, trace_id: i64) -> Result<Vec<ReferenceChange>, sqlx::Error> {
    let rows: Vec<ReferenceRow> = on_db!(db, p => sqlx::query_as(
        "SELECT checksum, image, previous_checksum, result_id, accepted_by, note, created_at FROM trace_references \
         WHERE trace_id = $1 ORDER BY id DESC"
    ).bind(trace_id).fetch_all(p).await)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let image = match &r.image {
            Some(sha) => image_view(db, sha).await?,
            None => None,
        };
        out.push(ReferenceChange {
            checksum: r.checksum,
            image,
            previous_checksum: r.previous_checksum,
            result_id: r.result_id,
            accepted_by: r.accepted_by,
            note: r.note,
            created_at: r.created_at,
        });
    }
    Ok(out)
}

/// What accepting a result changed.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub trace: String,
    pub device: String,
    pub checksum: String,
    pub job_id: i64,
    pub run_id: i64,
    /// The result no longer fails its job.
    pub unfailed: bool,
}

/// trace id, name, device; result status, actual checksum and image, job,
/// run; the trace's reference before.
type AcceptRow = (i64, String, String, String, Option<String>, Option<String>, i64, i64, Option<String>);

/// Makes a result's rendering the trace's reference: the trace holds it,
/// the history records it, and the result itself now matches.
pub async fn accept(
    tx: &mut Tx,
    project_id: i64,
    result_id: i64,
    by: &str,
    note: Option<&str>,
) -> Result<Option<Result<Accepted, &'static str>>, sqlx::Error> {
    let row: Option<AcceptRow> = on_tx!(tx, c => sqlx::query_as(
            "SELECT t.id, t.name, t.device, r.status, r.actual_checksum, r.actual_image, r.job_id, r.run_id, \
             t.reference_checksum FROM trace_results r JOIN traces t ON t.id = r.trace_id \
             WHERE r.id = $1 AND r.project_id = $2"
        ).bind(result_id).bind(project_id).fetch_optional(&mut *c).await)?;
    let Some((trace_id, name, device, status, actual, image, job_id, run_id, previous)) = row else {
        return Ok(None);
    };
    let Some(checksum) = actual else { return Ok(Some(Err("rendered nothing (its replay failed)"))) };
    let status: TraceStatus = status.parse().map_err(|e| super::decode_error("trace_results.status", e))?;
    let now = super::now();
    on_tx!(tx, c => sqlx::query(
        "UPDATE traces SET reference_checksum = $1, reference_image = $2 WHERE id = $3"
    ).bind(&checksum).bind(&image).bind(trace_id).execute(&mut *c).await.map(|_| ()))?;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO trace_references (trace_id, result_id, checksum, image, previous_checksum, accepted_by, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ).bind(trace_id).bind(result_id).bind(&checksum).bind(&image).bind(&previous).bind(by).bind(note).bind(now)
    .execute(&mut *c).await.map(|_| ()))?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE trace_results SET status = $1, expected_checksum = $2 WHERE id = $3"
    ).bind(TraceStatus::Match.as_str()).bind(&checksum).bind(result_id).execute(&mut *c).await.map(|_| ()))?;
    let unfailed = status.fails();
    if unfailed {
        add_to_job(tx, job_id, 0, -1).await?;
    }
    Ok(Some(Ok(Accepted { trace: name, device, checksum, job_id, run_id, unfailed })))
}

pub async fn set_ignore_regions(tx: &mut Tx, trace_id: i64, regions: &[Region]) -> Result<(), sqlx::Error> {
    let json = serde_json::to_string(regions).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    on_tx!(tx, c => sqlx::query("UPDATE traces SET ignore_regions = $1 WHERE id = $2")
        .bind(json).bind(trace_id).execute(&mut *c).await.map(|_| ()))
}

/// What the traces YAML says for one trace on one device.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExpectationRow {
    pub name: String,
    pub device: String,
    pub reference_checksum: Option<String>,
    /// What the latest result expected, and its status and label words.
    pub reported_checksum: Option<String>,
    pub status: Option<String>,
    pub label: Option<String>,
    pub text: Option<String>,
}

/// Every trace of the project (of one device, when given) with what its
/// traces YAML entry should say.
pub async fn expectations(db: &Db, project_id: i64, device: Option<&str>) -> Result<Vec<ExpectationRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT t.name, t.device, t.reference_checksum, r.reported_checksum, r.status, r.label, r.text \
         FROM traces t LEFT JOIN trace_results r ON r.id = (SELECT MAX(x.id) FROM trace_results x WHERE x.trace_id = t.id) \
         WHERE t.project_id = $1 AND ($2 IS NULL OR t.device = $2) ORDER BY t.name, t.device"
    ).bind(project_id).bind(device).fetch_all(p).await)
}

/// The projects holding an image: in a result, or as a reference.
pub async fn projects_holding(db: &Db, sha256: &str) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar(
        "SELECT DISTINCT project_id FROM trace_results WHERE actual_image = $1 OR expected_image = $1 \
         UNION SELECT project_id FROM traces WHERE reference_image = $1"
    ).bind(sha256).fetch_all(p).await)
}
