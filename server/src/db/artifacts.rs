//! Artifacts: files kept with a job, their blobs in the object store.

use super::uploads::Target;
use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use shared::model::{Artifact, ArtifactTest};

/// Everything but the line index, which only the log viewer reads.
pub const ARTIFACT_COLUMNS: &str = "id, upload_id, job_id, run_id, project_id, name, content_type, size_bytes, \
    sha256, is_text, line_count, expires_at, created_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArtifactRow {
    pub id: i64,
    pub upload_id: i64,
    pub job_id: i64,
    pub run_id: i64,
    pub project_id: i64,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub is_text: bool,
    pub line_count: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl ArtifactRow {
    pub fn into_json(self, project: &str, tests: Vec<ArtifactTest>) -> Artifact {
        Artifact {
            download_url: download_url(self.id),
            id: self.id,
            project: project.to_owned(),
            run_id: self.run_id,
            job_id: self.job_id,
            upload_id: self.upload_id,
            name: self.name,
            content_type: self.content_type,
            size_bytes: self.size_bytes,
            sha256: self.sha256,
            text: self.is_text,
            line_count: self.line_count,
            tests,
            expires_at: self.expires_at,
            created_at: self.created_at,
        }
    }
}

pub fn download_url(id: i64) -> String {
    format!("/api/v1/artifacts/{id}/download")
}

/// An artifact about to be stored.
#[derive(Debug, Clone)]
pub struct NewArtifact<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub is_text: bool,
    pub line_count: Option<i64>,
    /// JSON of the line checkpoints.
    pub line_index: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn insert(tx: &mut Tx, t: Target, upload_id: i64, a: &NewArtifact<'_>) -> Result<ArtifactRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO artifacts (upload_id, job_id, run_id, project_id, name, content_type, size_bytes, sha256, \
         is_text, line_count, line_index, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING {ARTIFACT_COLUMNS}"
    );
    on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(upload_id)
        .bind(t.job_id)
        .bind(t.run_id)
        .bind(t.project_id)
        .bind(a.name)
        .bind(a.content_type)
        .bind(a.size_bytes)
        .bind(a.sha256)
        .bind(a.is_text)
        .bind(a.line_count)
        .bind(&a.line_index)
        .bind(a.expires_at)
        .bind(super::now())
        .fetch_one(&mut *c)
        .await)
}

pub async fn link(tx: &mut Tx, artifact_id: i64, result_ids: &[i64]) -> Result<(), sqlx::Error> {
    for id in result_ids {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO artifact_tests (artifact_id, test_result_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        ).bind(artifact_id).bind(id).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(())
}

/// The job's test results that `name` names: the test's name, `class.name`,
/// `class::name`, or `suite::class::name`.
pub async fn results_named(tx: &mut Tx, job_id: i64, name: &str) -> Result<Vec<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM test_results WHERE job_id = $1 AND (name = $2 OR classname || '.' || name = $2 \
         OR classname || '::' || name = $2 OR suite || '::' || classname || '::' || name = $2) ORDER BY id"
    ).bind(job_id).bind(name).fetch_all(&mut *c).await)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<ArtifactRow>, sqlx::Error> {
    let sql = format!("SELECT {ARTIFACT_COLUMNS} FROM artifacts WHERE id = $1");
    on_db!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
}

pub async fn by_upload(tx: &mut Tx, upload_id: i64) -> Result<Option<ArtifactRow>, sqlx::Error> {
    let sql = format!("SELECT {ARTIFACT_COLUMNS} FROM artifacts WHERE upload_id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(upload_id).fetch_optional(&mut *c).await)
}

pub async fn for_job(db: &Db, job_id: i64) -> Result<Vec<ArtifactRow>, sqlx::Error> {
    let sql = format!("SELECT {ARTIFACT_COLUMNS} FROM artifacts WHERE job_id = $1 ORDER BY id");
    on_db!(db, p => sqlx::query_as(&sql).bind(job_id).fetch_all(p).await)
}

pub async fn for_result(db: &Db, result_id: i64) -> Result<Vec<ArtifactRow>, sqlx::Error> {
    let cols: String = ARTIFACT_COLUMNS.split(", ").map(|c| format!("a.{}", c.trim())).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {cols} FROM artifacts a JOIN artifact_tests t ON t.artifact_id = a.id \
         WHERE t.test_result_id = $1 ORDER BY a.id"
    );
    on_db!(db, p => sqlx::query_as(&sql).bind(result_id).fetch_all(p).await)
}

/// The test results linked to the artifacts of a job, by artifact.
pub async fn tests_for_job(db: &Db, job_id: i64) -> Result<Vec<(i64, ArtifactTest)>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT t.artifact_id, r.id, r.classname, r.name FROM artifact_tests t \
         JOIN artifacts a ON a.id = t.artifact_id JOIN test_results r ON r.id = t.test_result_id \
         WHERE a.job_id = $1 ORDER BY t.artifact_id, r.id"
    ).bind(job_id).fetch_all(p).await)?;
    Ok(rows.into_iter().map(|(artifact, result_id, class, name)| (artifact, test(result_id, class, name))).collect())
}

/// The test results linked to one artifact.
pub async fn tests(db: &Db, artifact_id: i64) -> Result<Vec<ArtifactTest>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT r.id, r.classname, r.name FROM artifact_tests t JOIN test_results r ON r.id = t.test_result_id \
         WHERE t.artifact_id = $1 ORDER BY r.id"
    ).bind(artifact_id).fetch_all(p).await)?;
    Ok(rows.into_iter().map(|(result_id, class, name)| test(result_id, class, name)).collect())
}

fn test(result_id: i64, class: String, name: String) -> ArtifactTest {
    let name = if class.is_empty() { name } else { format!("{class}.{name}") };
    ArtifactTest { result_id, name }
}

/// The tests linked to one artifact, in a transaction.
pub async fn tests_in(tx: &mut Tx, artifact_id: i64) -> Result<Vec<ArtifactTest>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT r.id, r.classname, r.name FROM artifact_tests t JOIN test_results r ON r.id = t.test_result_id \
         WHERE t.artifact_id = $1 ORDER BY r.id"
    ).bind(artifact_id).fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().map(|(result_id, class, name)| test(result_id, class, name)).collect())
}

/// The line checkpoints of a text artifact (JSON).
pub async fn line_index(db: &Db, id: i64) -> Result<Option<String>, sqlx::Error> {
    let found: Option<Option<String>> = on_db!(db, p => sqlx::query_scalar(
        "SELECT line_index FROM artifacts WHERE id = $1"
    ).bind(id).fetch_optional(p).await)?;
    Ok(found.flatten())
}

/// Artifacts whose expiry has passed.
pub async fn expired(db: &Db, now: DateTime<Utc>, limit: i64) -> Result<Vec<ArtifactRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {ARTIFACT_COLUMNS} FROM artifacts WHERE expires_at IS NOT NULL AND expires_at <= $1 ORDER BY id LIMIT $2"
    );
    on_db!(db, p => sqlx::query_as(&sql).bind(now).bind(limit).fetch_all(p).await)
}
