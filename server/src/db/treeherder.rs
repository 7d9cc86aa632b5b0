//! What Treeherder's door stores (see migrations/*/0015_treeherder.sql).

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use shared::treeherder::{JobInfoDetail, TreeherderInfo, TreeherderJob};

/// The run of a project's push (resultset), by its revision.
pub async fn push_run(tx: &mut Tx, project_id: i64, revision: &str) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT run_id FROM treeherder_pushes WHERE project_id = $1 AND revision = $2")
        .bind(project_id).bind(revision).fetch_optional(&mut *c).await)
}

pub struct Push<'a> {
    pub run_id: i64,
    pub project_id: i64,
    pub revision: &'a str,
    pub author: Option<&'a str>,
    pub push_timestamp: Option<i64>,
    /// JSON list of the push's revisions.
    pub revisions: &'a str,
}

/// Records a push, or fills in what a later post adds (never empties).
pub async fn save_push(tx: &mut Tx, p: &Push<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO treeherder_pushes (run_id, project_id, revision, author, push_timestamp, revisions, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (run_id) DO UPDATE SET author = COALESCE(excluded.author, treeherder_pushes.author), \
           push_timestamp = COALESCE(excluded.push_timestamp, treeherder_pushes.push_timestamp), \
           revisions = CASE WHEN excluded.revisions = '[]' THEN treeherder_pushes.revisions ELSE excluded.revisions END")
        .bind(p.run_id).bind(p.project_id).bind(p.revision).bind(p.author).bind(p.push_timestamp).bind(p.revisions)
        .bind(super::now())
        .execute(&mut *c).await.map(|_| ()))
}

/// A job by its guid: (job id, run id, stored fields as JSON).
pub async fn job_by_guid(tx: &mut Tx, project_id: i64, guid: &str) -> Result<Option<(i64, i64, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT job_id, run_id, job FROM treeherder_jobs WHERE project_id = $1 AND job_guid = $2")
        .bind(project_id).bind(guid).fetch_optional(&mut *c).await)
}

pub async fn save_job(
    tx: &mut Tx,
    job_id: i64,
    project_id: i64,
    run_id: i64,
    guid: &str,
    json: &str,
) -> Result<(), sqlx::Error> {
    let now = super::now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO treeherder_jobs (job_id, project_id, run_id, job_guid, job, submitted_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (job_id) DO UPDATE SET job = excluded.job, updated_at = excluded.updated_at")
        .bind(job_id).bind(project_id).bind(run_id).bind(guid).bind(json).bind(now)
        .execute(&mut *c).await.map(|_| ()))
}

/// Marks the project's jobs of `guids` as coalesced into `into`.
pub async fn coalesce(tx: &mut Tx, project_id: i64, guids: &[String], into: &str) -> Result<(), sqlx::Error> {
    for g in guids {
        on_tx!(tx, c => sqlx::query(
            "UPDATE treeherder_jobs SET coalesced_into = $3 WHERE project_id = $1 AND job_guid = $2")
            .bind(project_id).bind(g).bind(into).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(())
}

/// Stores an artifact, replacing the job's artifact of that name.
pub async fn save_artifact(tx: &mut Tx, job_id: i64, name: &str, kind: &str, blob: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO treeherder_artifacts (job_id, name, type, blob) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (job_id, name) DO UPDATE SET type = excluded.type, blob = excluded.blob")
        .bind(job_id).bind(name).bind(kind).bind(blob).execute(&mut *c).await.map(|_| ()))
}

/// Replaces the job's Job Info details.
pub async fn replace_details(tx: &mut Tx, job_id: i64, details: &[JobInfoDetail]) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM treeherder_job_details WHERE job_id = $1")
        .bind(job_id).execute(&mut *c).await.map(|_| ()))?;
    for (i, d) in details.iter().enumerate() {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO treeherder_job_details (job_id, position, title, value, url, content_type) \
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(job_id).bind(i as i64).bind(&d.title).bind(&d.value).bind(&d.url).bind(&d.content_type)
            .execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(())
}

pub async fn save_option_collection(tx: &mut Tx, hash: &str, options: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO treeherder_option_collections (hash, options) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING")
        .bind(hash).bind(options).execute(&mut *c).await.map(|_| ()))
}

pub async fn option_collections(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as("SELECT hash, options FROM treeherder_option_collections ORDER BY hash")
        .fetch_all(p).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub job_id: i64,
    pub run_id: i64,
    pub project_id: i64,
    pub job_guid: String,
    pub job: String,
    pub coalesced_into: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl JobRow {
    /// The stored fields (written by the door, so they decode; a row that
    /// does not is shown with its guid alone).
    pub fn fields(&self) -> TreeherderJob {
        serde_json::from_str(&self.job)
            .unwrap_or_else(|_| TreeherderJob { job_guid: self.job_guid.clone(), ..TreeherderJob::default() })
    }
}

const JOB_COLUMNS: &str = "job_id, run_id, project_id, job_guid, job, coalesced_into, submitted_at, updated_at";

/// A Job Info row: title, value, url, content type.
type DetailRow = (Option<String>, Option<String>, Option<String>, String);

fn details_of(rows: Vec<DetailRow>) -> Vec<JobInfoDetail> {
    rows.into_iter()
        .map(|(title, value, url, content_type)| JobInfoDetail { content_type, title, value, url })
        .collect()
}

pub async fn details(db: &Db, job_id: i64) -> Result<Vec<JobInfoDetail>, sqlx::Error> {
    let rows = on_db!(db, p => sqlx::query_as(
        "SELECT title, value, url, content_type FROM treeherder_job_details WHERE job_id = $1 ORDER BY position")
        .bind(job_id).fetch_all(p).await)?;
    Ok(details_of(rows))
}

/// The job page's Treeherder section.
pub async fn info(db: &Db, job_id: i64) -> Result<Option<TreeherderInfo>, sqlx::Error> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM treeherder_jobs WHERE job_id = $1");
    let Some(row): Option<JobRow> = on_db!(db, p => sqlx::query_as(&sql).bind(job_id).fetch_optional(p).await)? else {
        return Ok(None);
    };
    let artifacts: Vec<(String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT name, type FROM treeherder_artifacts WHERE job_id = $1 ORDER BY name")
        .bind(job_id).fetch_all(p).await)?;
    Ok(Some(TreeherderInfo {
        job: row.fields(),
        coalesced_into: row.coalesced_into.clone(),
        details: details(db, job_id).await?,
        artifacts,
        submitted_at: row.submitted_at,
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PushRow {
    pub run_id: i64,
    pub project_id: i64,
    pub revision: String,
    pub author: Option<String>,
    pub push_timestamp: Option<i64>,
    pub revisions: String,
}

/// A project's pushes, newest first.
pub async fn pushes(
    db: &Db,
    project_id: i64,
    revision: Option<&str>,
    id: Option<i64>,
    count: i64,
    offset: i64,
) -> Result<Vec<PushRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT run_id, project_id, revision, author, push_timestamp, revisions FROM treeherder_pushes \
         WHERE project_id = $1 AND ($2 IS NULL OR revision = $2) AND ($3 IS NULL OR run_id = $3) \
         ORDER BY push_timestamp DESC, run_id DESC LIMIT $4 OFFSET $5")
        .bind(project_id).bind(revision).bind(id).bind(count).bind(offset).fetch_all(p).await)
}

/// Filters of the jobs list.
#[derive(Debug, Default)]
pub struct JobFilter<'a> {
    pub guid: Option<&'a str>,
    pub job_id: Option<i64>,
    pub push_id: Option<i64>,
}

/// A project's jobs, newest first.
pub async fn jobs(
    db: &Db,
    project_id: i64,
    f: &JobFilter<'_>,
    count: i64,
    offset: i64,
) -> Result<Vec<JobRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM treeherder_jobs WHERE project_id = $1 AND ($2 IS NULL OR job_guid = $2) \
         AND ($3 IS NULL OR job_id = $3) AND ($4 IS NULL OR run_id = $4) ORDER BY job_id DESC LIMIT $5 OFFSET $6"
    );
    on_db!(db, p => sqlx::query_as(&sql).bind(project_id).bind(f.guid).bind(f.job_id).bind(f.push_id).bind(count)
        .bind(offset).fetch_all(p).await)
}

/// A job by guid or id in any of `projects`.
pub async fn find_job(
    db: &Db,
    projects: &[i64],
    guid: Option<&str>,
    job_id: Option<i64>,
) -> Result<Vec<JobRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM treeherder_jobs WHERE ($1 IS NULL OR job_guid = $1) AND ($2 IS NULL OR job_id = $2) \
         ORDER BY job_id DESC LIMIT 2000"
    );
    let rows: Vec<JobRow> = on_db!(db, p => sqlx::query_as(&sql).bind(guid).bind(job_id).fetch_all(p).await)?;
    Ok(rows.into_iter().filter(|r| projects.contains(&r.project_id)).collect())
}

/// A job's artifacts: (name, type, blob).
pub async fn artifacts(db: &Db, job_id: i64, name: Option<&str>) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT name, type, blob FROM treeherder_artifacts WHERE job_id = $1 AND ($2 IS NULL OR name = $2) ORDER BY name")
        .bind(job_id).bind(name).fetch_all(p).await)
}

/// Whether the job came through the Treeherder door.
pub async fn is_treeherder_job(tx: &mut Tx, job_id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM treeherder_jobs WHERE job_id = $1")
        .bind(job_id).fetch_one(&mut *c).await)?;
    Ok(n > 0)
}

/// One artifact's blob, in the transaction.
pub async fn artifact_blob(tx: &mut Tx, job_id: i64, name: &str) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT blob FROM treeherder_artifacts WHERE job_id = $1 AND name = $2")
        .bind(job_id).bind(name).fetch_optional(&mut *c).await)
}
