//! Performance results: series, the tests of each perf upload, and one
//! point per metric of a test (see migrations/*/0005_perf.sql).

use super::rows::JsonText;
use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use shared::model::Property;
use shared::perf::{Direction, Link, PerfStatus};

/// A series' identity: what makes two measurements comparable over time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeriesKey<'a> {
    pub test: &'a str,
    pub group: &'a str,
    pub category: &'a str,
    pub metric: &'a str,
    pub platform: &'a str,
    pub machine: &'a str,
    /// Sorted.
    pub labels: &'a [String],
}

impl SeriesKey<'_> {
    /// The hash kept in `perf_series.signature` (hex of xxh3-128 over the
    /// identity's fields, each prefixed by its length).
    pub fn signature(&self) -> String {
        let mut bytes = Vec::new();
        let mut put = |s: &str| {
            bytes.extend_from_slice(&(s.len() as u64).to_le_bytes());
            bytes.extend_from_slice(s.as_bytes());
        };
        for part in [self.test, self.group, self.category, self.metric, self.platform, self.machine] {
            put(part);
        }
        for l in self.labels {
            put(l);
        }
        format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes))
    }
}

pub const SERIES_COLUMNS: &str = "id, project_id, signature, test, test_group, category, metric, unit, direction, \
    platform, machine, labels, point_count, last_value, created_at, updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeriesRow {
    pub id: i64,
    pub project_id: i64,
    pub signature: String,
    pub test: String,
    pub test_group: String,
    pub category: String,
    pub metric: String,
    pub unit: String,
    #[sqlx(try_from = "String")]
    pub direction: Direction,
    pub platform: String,
    pub machine: String,
    #[sqlx(try_from = "String")]
    pub labels: JsonText<Vec<String>>,
    pub point_count: i64,
    pub last_value: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The series of this identity, created on its first point; counts the
/// point being added.
pub async fn upsert_series(
    tx: &mut Tx,
    project_id: i64,
    key: &SeriesKey<'_>,
    unit: &str,
    direction: Direction,
    value: f64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let labels = serde_json::to_string(key.labels).unwrap_or_else(|_| "[]".into());
    let sql = "INSERT INTO perf_series (project_id, signature, test, test_group, category, metric, unit, direction, \
               platform, machine, labels, point_count, last_value, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $13) \
               ON CONFLICT (project_id, signature) DO UPDATE SET point_count = perf_series.point_count + 1, \
               last_value = excluded.last_value, unit = excluded.unit, direction = excluded.direction, \
               updated_at = excluded.updated_at RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar(sql)
        .bind(project_id).bind(key.signature()).bind(key.test).bind(key.group).bind(key.category)
        .bind(key.metric).bind(unit).bind(direction.as_str()).bind(key.platform).bind(key.machine)
        .bind(&labels).bind(value).bind(now)
        .fetch_one(&mut *c).await)
}

/// A test of a perf upload, as stored.
pub struct NewTest<'a> {
    pub seq: i64,
    pub name: &'a str,
    pub group: &'a str,
    pub category: &'a str,
    pub status: PerfStatus,
    pub attributes: &'a [Property],
    pub links: &'a [Link],
    pub errors: &'a [String],
    pub warnings: i64,
}

pub async fn insert_test(
    tx: &mut Tx,
    target: super::uploads::Target,
    upload_id: i64,
    t: &NewTest<'_>,
) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO perf_tests (upload_id, job_id, run_id, project_id, seq, name, test_group, category, \
               status, attributes, links, errors, warnings) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar(sql)
        .bind(upload_id).bind(target.job_id).bind(target.run_id).bind(target.project_id).bind(t.seq)
        .bind(t.name).bind(t.group).bind(t.category).bind(t.status.as_str())
        .bind(json(t.attributes)).bind(json(t.links)).bind(json(t.errors)).bind(t.warnings)
        .fetch_one(&mut *c).await)
}

/// A JSON-kept list as text.
fn json<T: serde::Serialize>(v: &[T]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// One metric of a test: a point of its series.
pub struct NewPoint<'a> {
    pub series_id: i64,
    pub test_id: i64,
    pub value: f64,
    pub n: i64,
    pub mean: f64,
    pub stddev: Option<f64>,
    pub ci: Option<(f64, f64)>,
    pub samples: &'a [f64],
    pub deviations: &'a [f64],
    pub tool_stddev: Option<f64>,
    pub tool_lower: Option<f64>,
    pub tool_upper: Option<f64>,
}

/// Little-endian f64s, the way samples are kept.
pub fn encode_f64s(values: &[f64]) -> Option<Vec<u8>> {
    (!values.is_empty()).then(|| values.iter().flat_map(|v| v.to_le_bytes()).collect())
}

pub fn decode_f64s(bytes: Option<&[u8]>) -> Vec<f64> {
    bytes.unwrap_or_default().chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect()
}

pub async fn insert_point(
    tx: &mut Tx,
    target: super::uploads::Target,
    p: &NewPoint<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO perf_points (series_id, test_id, job_id, run_id, value, n, mean, stddev, ci_low, ci_high, \
               samples, deviations, tool_stddev, tool_lower, tool_upper, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(p.series_id).bind(p.test_id).bind(target.job_id).bind(target.run_id).bind(p.value).bind(p.n)
        .bind(p.mean).bind(p.stddev).bind(p.ci.map(|c| c.0)).bind(p.ci.map(|c| c.1))
        .bind(encode_f64s(p.samples)).bind(encode_f64s(p.deviations))
        .bind(p.tool_stddev).bind(p.tool_lower).bind(p.tool_upper).bind(now)
        .execute(&mut *c).await.map(|_| ()))
}

/// Adds to a job's perf roll-ups, and sets its regression tag when an
/// upload names one.
pub async fn add_to_job(
    tx: &mut Tx,
    job_id: i64,
    tests: i64,
    metrics: i64,
    regression: Option<&str>,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE jobs SET perf_tests = perf_tests + $2, perf_metrics = perf_metrics + $3, \
               regression = COALESCE($4, regression) WHERE id = $1";
    on_tx!(tx, c => sqlx::query(sql).bind(job_id).bind(tests).bind(metrics).bind(regression)
        .execute(&mut *c).await.map(|_| ()))
}

/// One measurement of a job, joined with its series.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeasurementRow {
    pub series_id: i64,
    pub test: String,
    pub test_group: String,
    pub category: String,
    pub metric: String,
    pub unit: String,
    #[sqlx(try_from = "String")]
    pub direction: Direction,
    pub value: f64,
    pub samples: Option<Vec<u8>>,
}

/// Stores an upload's packed measurements.
pub async fn insert_pack(tx: &mut Tx, upload_id: i64, job_id: i64, pack: &[u8]) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("INSERT INTO perf_packs (upload_id, job_id, pack) VALUES ($1, $2, $3)")
        .bind(upload_id).bind(job_id).bind(pack).execute(&mut *c).await.map(|_| ()))
}

/// The packs of a job's perf uploads, oldest first; `None` if one of its
/// perf uploads has none (stored before packs existed).
pub async fn job_packs(db: &Db, job_id: i64) -> Result<Option<Vec<Vec<u8>>>, sqlx::Error> {
    let sql = "SELECT p.pack FROM uploads u LEFT JOIN perf_packs p ON p.upload_id = u.id \
               WHERE u.job_id = $1 AND u.kind = $2 ORDER BY u.id";
    let rows: Vec<Option<Vec<u8>>> = on_db!(db, p => sqlx::query_scalar(sql)
        .bind(job_id).bind(shared::model::UploadKind::PerfResult.as_str()).fetch_all(p).await)?;
    Ok(rows.into_iter().collect())
}

/// A job's measurements, in the order they were uploaded.
pub async fn job_measurements(db: &Db, job_id: i64) -> Result<Vec<MeasurementRow>, sqlx::Error> {
    let sql = "SELECT p.series_id, s.test, s.test_group, s.category, s.metric, s.unit, s.direction, p.value, p.samples \
               FROM perf_points p JOIN perf_series s ON s.id = p.series_id WHERE p.job_id = $1 ORDER BY p.id";
    on_db!(db, p => sqlx::query_as(sql).bind(job_id).fetch_all(p).await)
}

pub async fn series_by_id(db: &Db, id: i64) -> Result<Option<SeriesRow>, sqlx::Error> {
    let sql = format!("SELECT {SERIES_COLUMNS} FROM perf_series WHERE id = $1");
    on_db!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
}

/// A project's series, filtered by substrings of the test and metric and by
/// platform; at most `limit`.
pub async fn series_list(
    db: &Db,
    project_id: i64,
    test: Option<&str>,
    metric: Option<&str>,
    platform: Option<&str>,
    limit: i64,
) -> Result<Vec<SeriesRow>, sqlx::Error> {
    let like = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(|s| format!("%{}%", escape_like(&s.to_lowercase())));
    let sql = format!(
        "SELECT {SERIES_COLUMNS} FROM perf_series WHERE project_id = $1 \
         AND ($2 IS NULL OR lower(test) LIKE $2 ESCAPE '\\') AND ($3 IS NULL OR lower(metric) LIKE $3 ESCAPE '\\') \
         AND ($4 IS NULL OR platform = $4) ORDER BY test_group, test, metric, platform, machine, id LIMIT $5"
    );
    on_db!(db, p => sqlx::query_as(&sql)
        .bind(project_id).bind(like(test)).bind(like(metric)).bind(platform.filter(|s| !s.is_empty())).bind(limit)
        .fetch_all(p).await)
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// A point with where it came from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PointRow {
    pub id: i64,
    pub job_id: i64,
    pub run_id: i64,
    pub run_name: String,
    pub revision: Option<String>,
    pub branch: Option<String>,
    pub job_key: String,
    pub value: f64,
    pub n: i64,
    pub mean: f64,
    pub stddev: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub created_at: DateTime<Utc>,
}

/// A series' points in run order, within a time range.
pub async fn points(
    db: &Db,
    series_id: i64,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    limit: i64,
) -> Result<Vec<PointRow>, sqlx::Error> {
    let sql = "SELECT p.id, p.job_id, p.run_id, r.name AS run_name, r.revision, r.branch, j.key AS job_key, p.value, \
               p.n, p.mean, p.stddev, p.ci_low, p.ci_high, p.created_at \
               FROM perf_points p JOIN runs r ON r.id = p.run_id JOIN jobs j ON j.id = p.job_id \
               WHERE p.series_id = $1 AND ($2 IS NULL OR p.created_at >= $2) AND ($3 IS NULL OR p.created_at <= $3) \
               ORDER BY p.run_id, p.id LIMIT $4";
    on_db!(db, p => sqlx::query_as(sql).bind(series_id).bind(from).bind(to).bind(limit).fetch_all(p).await)
}

/// The job of the same key in the latest earlier run on the same branch
/// that has perf results.
pub async fn previous_job(db: &Db, job: &super::rows::JobRow) -> Result<Option<i64>, sqlx::Error> {
    let sql = "SELECT j.id FROM jobs j JOIN runs r ON r.id = j.run_id \
               JOIN runs mine ON mine.id = $3 \
               WHERE j.project_id = $1 AND j.key = $2 AND r.id < $3 AND j.perf_metrics > 0 \
               AND (r.branch = mine.branch OR (r.branch IS NULL AND mine.branch IS NULL)) \
               ORDER BY r.id DESC LIMIT 1";
    on_db!(db, p => sqlx::query_scalar(sql).bind(job.project_id).bind(&job.key).bind(job.run_id).fetch_optional(p).await)
}

/// A job with a regression tag, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaggedRow {
    pub tag: String,
    pub job_id: i64,
    pub run_id: i64,
    pub run: String,
    pub job: String,
    pub revision: Option<String>,
    pub machine: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: shared::status::JobState,
    #[sqlx(try_from = "String")]
    pub result: shared::status::JobResult,
    pub bad: i64,
    pub perf_tests: i64,
    pub tagged_at: DateTime<Utc>,
}

/// The project's jobs with a regression tag (or with this one), by tag and
/// then time; at most 10,000.
pub async fn tagged_jobs(db: &Db, project_id: i64, tag: Option<&str>) -> Result<Vec<TaggedRow>, sqlx::Error> {
    let sql = "SELECT j.regression AS tag, j.id AS job_id, j.run_id, r.name AS run, j.name AS job, r.revision, \
               j.machine, j.state, j.result, j.failed + j.errors AS bad, j.perf_tests, \
               COALESCE(j.finished_at, j.created_at) AS tagged_at \
               FROM jobs j JOIN runs r ON r.id = j.run_id \
               WHERE j.project_id = $1 AND j.regression IS NOT NULL AND (CAST($2 AS TEXT) IS NULL OR j.regression = $2) \
               ORDER BY j.regression, tagged_at, j.id LIMIT 10000";
    on_db!(db, p => sqlx::query_as(sql).bind(project_id).bind(tag).fetch_all(p).await)
}
