//! PerfTracker's API, as the unmodified `perftrackerlib` 0.1.8 client uses
//! it: point `ptSuite(pt_server_url=…)` (or `--pt-url`) at
//! `http://PROJECT:TOKEN@assay-host/perftracker`.
//!
//! - `GET  /api/v1.0/0/project/`: the projects, `[{"id", "name"}]`, by slug
//!   (and by display name where it differs), for `--pt-project`.
//! - `POST /api/v1.0/{project_id}/job/`: a suite's job JSON, as the raw
//!   body. A PerfTracker job is an Assay run with one job (key
//!   `perftracker`), found again by the job's `uuid`: posting the same uuid
//!   again replaces its results (PerfTracker's default, and `--pt-replace`);
//!   with `append` (`--pt-append`) the tests are added to it, and a test
//!   whose group, tag and category the job already has is refused, as
//!   PerfTracker refuses it. Posting what the job already holds changes
//!   nothing, so a retry is safe.
//!
//! Writes authenticate with an Assay write token: HTTP Basic with the
//! project's slug as the user and the token as the password (which the
//! client sends from the URL), or `Authorization: Bearer`. Errors answer
//! JSON with a `message`, which the client prints.

use crate::api::extract::{Reader, Writer};
use crate::db::audit::{self, Entry};
use crate::db::uploads::Target;
use crate::db::{self, perftracker as store};
use crate::error::{ApiError, ApiResult};
use crate::ingest::body::{self, Door};
use crate::ingest::perf::PerfResults;
use crate::ingest::{self, Kind, Place};
use crate::service::access::Access;
use crate::service::{read, write};
use crate::state::AppState;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;
use shared::model::{CreateJob, CreateRun, UpdateJob};
use shared::perf::{PerfFormat, PerfFormatChoice};
use shared::{JobResult, JobState};

/// The job key of every job that came through this door.
pub const JOB_KEY: &str = "perftracker";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1.0/{project}/project/", get(projects))
        .route("/api/v1.0/{project}/job/", post(post_job))
        .route("/api/v1.0/{project}/artifact/", get(artifact_list))
        .route("/api/v1.0/{project}/artifact/{uuid}", get(artifact_info).post(artifact_post).delete(artifact_delete))
        .route("/api/v1.0/{project}/artifact/{uuid}/", get(artifact_info).post(artifact_post).delete(artifact_delete))
        .route("/api/v1.0/{project}/artifact_content/{uuid}", get(artifact_content))
        .route("/api/v1.0/{project}/artifact_content/{uuid}/", get(artifact_content))
}

/// An error as PerfTracker's clients read it: JSON with a `message` (and
/// Assay's own `error` and `detail`).
pub struct PtError(pub ApiError);

impl From<ApiError> for PtError {
    fn from(e: ApiError) -> Self {
        PtError(e)
    }
}

impl From<sqlx::Error> for PtError {
    fn from(e: sqlx::Error) -> Self {
        PtError(e.into())
    }
}

impl IntoResponse for PtError {
    fn into_response(self) -> Response {
        let body = self.0.body();
        let mut res =
            (self.0.status(), Json(json!({"message": body.detail, "error": body.error, "detail": body.detail})))
                .into_response();
        if self.0.status() == axum::http::StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Basic realm=\"assay\""),
            );
        }
        res
    }
}

type PtResult<T> = Result<T, PtError>;

#[derive(Debug, Serialize)]
pub struct PtProject {
    pub id: i64,
    pub name: String,
}

/// The projects the caller may read. The client looks its `--pt-project`
/// up by name; the path's project id is not used (as in PerfTracker).
async fn projects(State(s): State<AppState>, reader: Result<Reader, ApiError>) -> PtResult<Json<Vec<PtProject>>> {
    let Reader(access) = reader?;
    let mut out = Vec::new();
    for p in read::projects(&s.db, &access).await? {
        if p.name != p.slug {
            out.push(PtProject { id: p.id, name: p.slug.clone() });
        }
        out.push(PtProject { id: p.id, name: if p.name == p.slug { p.slug } else { p.name } });
    }
    Ok(Json(out))
}

const JOB: Door = Door {
    option_fields: &[],
    // The client posts the JSON with no content type at all.
    accepts_raw: |_| true,
    raw_hint: "post the job's JSON as the request body",
    default_name: "perftracker-job.json",
};

/// What a job upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Created,
    Appended,
    Updated,
}

impl Verb {
    fn as_str(self) -> &'static str {
        match self {
            Verb::Created => "created",
            Verb::Appended => "appended",
            Verb::Updated => "updated",
        }
    }
}

/// How artifact POSTs arrive: multipart with the file (`file`) and the
/// fields, or the fields alone, form-encoded.
const ARTIFACT: Door = Door {
    option_fields: &[
        "description",
        "ttl_days",
        "mime",
        "filename",
        "inline",
        "compression",
        "linked_uuids",
        "unlinked_uuids",
    ],
    accepts_raw: |ct| ct.is_empty() || ct.starts_with("application/x-www-form-urlencoded"),
    raw_hint: "send the artifact as multipart/form-data (a 'file' part and its fields), or its fields form-encoded",
    default_name: "form",
};

/// Largest artifact served decompressed (`compression`: bz2 kept as sent).
const MAX_DECOMPRESSED: u64 = 1024 * 1024 * 1024;

/// An artifact as PerfTracker describes it.
fn artifact_json(a: &store::ArtifactRow, links: Vec<String>) -> serde_json::Value {
    let t = |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    json!({
        "id": a.id, "uuid": a.uuid, "links": links, "filename": a.filename, "description": a.description,
        "mime": a.mime, "deleted": a.deleted_at.is_some(), "uploaded_dt": t(a.uploaded_at), "ttl_days": a.ttl_days,
        "deleted_dt": a.deleted_at.map(t), "expires_dt": t(a.expires_at), "size": a.size_bytes,
        "inline": a.inline, "compression": a.compression,
    })
}

fn artifact_uuid(uuid: &str) -> ApiResult<String> {
    let u = uuid.trim().to_ascii_lowercase();
    if is_uuid(&u) { Ok(u) } else { Err(ApiError::BadRequest(format!("Invalid artifact UUID {uuid}"))) }
}

/// An artifact the caller may read.
async fn readable_artifact(s: &AppState, access: &Access, uuid: &str) -> ApiResult<store::ArtifactRow> {
    let uuid = artifact_uuid(uuid)?;
    let not_found = || ApiError::NotFound(format!("Artifact with UUID {uuid} is not found"));
    let a = store::artifact(&s.db, &uuid).await?.ok_or_else(not_found)?;
    let p = db::projects::by_id(&s.db, a.project_id).await?.ok_or_else(not_found)?;
    if !access.can_read(&s.db, &p).await? {
        return Err(not_found());
    }
    Ok(a)
}

async fn artifact_info(
    State(s): State<AppState>,
    reader: Result<Reader, ApiError>,
    Path((_, uuid)): Path<(String, String)>,
) -> PtResult<Json<serde_json::Value>> {
    let Reader(access) = reader?;
    let a = readable_artifact(&s, &access, &uuid).await?;
    let links = store::links(&s.db, a.id).await?;
    Ok(Json(artifact_json(&a, links)))
}

#[derive(Debug, serde::Deserialize)]
struct ListQuery {
    start: Option<i64>,
    length: Option<i64>,
}

/// The artifacts of the projects the caller may read, newest first
/// (`start`, `length`: 0 and 10 unless given, as in PerfTracker).
async fn artifact_list(
    State(s): State<AppState>,
    reader: Result<Reader, ApiError>,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> PtResult<Json<Vec<serde_json::Value>>> {
    let Reader(access) = reader?;
    let projects: Vec<i64> = read::projects(&s.db, &access).await?.iter().map(|p| p.id).collect();
    let rows =
        store::artifacts(&s.db, &projects, q.start.unwrap_or(0).max(0), q.length.unwrap_or(10).clamp(1, 1000)).await?;
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let mut links = store::links_of(&s.db, &ids).await?;
    Ok(Json(rows.iter().map(|a| artifact_json(a, links.remove(&a.id).unwrap_or_default())).collect()))
}

/// The project an artifact write goes to: the existing artifact's, or the
/// token's for a new one.
async fn artifact_project(
    s: &AppState,
    access: &Access,
    existing: Option<&store::ArtifactRow>,
) -> ApiResult<db::projects::ProjectRow> {
    let id = match (existing, &access.principal) {
        (Some(a), _) => a.project_id,
        (None, crate::auth::Principal::Credential(c)) => c.project_id,
        (None, crate::auth::Principal::Anonymous { .. }) => {
            return Err(ApiError::Unauthorized(
                "this needs a project API token: HTTP Basic with the project as user and a token as password".into(),
            ));
        }
        (None, _) => {
            return Err(ApiError::BadRequest(
                "a new artifact belongs to the project of the token it is uploaded with: upload it with a project token"
                    .into(),
            ));
        }
    };
    let p = db::projects::by_id(&s.db, id).await?.ok_or_else(|| ApiError::not_found(format!("project {id}")))?;
    write::writable(&s.db, access, &p.slug).await
}

fn uuid_list(field: &str, v: Option<&str>) -> ApiResult<Vec<String>> {
    let Some(v) = v.filter(|v| !v.trim().is_empty()) else { return Ok(Vec::new()) };
    let list: Vec<String> = serde_json::from_str(v)
        .map_err(|e| ApiError::BadRequest(format!("{field} must be a JSON list of UUIDs: {e}")))?;
    list.iter()
        .map(|u| {
            let l = u.trim().to_ascii_lowercase();
            if is_uuid(&l) {
                Ok(l)
            } else {
                Err(ApiError::BadRequest(format!("trying to link resource with invalid UUID format: {u}")))
            }
        })
        .collect()
}

fn flag(field: &str, v: Option<&str>) -> ApiResult<Option<bool>> {
    match v.map(str::trim) {
        None | Some("") | Some("None") => Ok(None),
        Some("True" | "true" | "Yes" | "yes" | "y" | "1") => Ok(Some(true)),
        Some("False" | "false" | "No" | "no" | "n" | "0") => Ok(Some(false)),
        Some(other) => Err(ApiError::BadRequest(format!("{field} must be True or False, got '{other}'"))),
    }
}

/// Uploads (with a `file`) or updates an artifact, and links or unlinks it.
async fn artifact_post(
    State(s): State<AppState>,
    writer: Result<Writer, ApiError>,
    Path((_, uuid)): Path<(String, String)>,
    request: Request,
) -> PtResult<Json<serde_json::Value>> {
    let Writer(access) = writer?;
    let uuid = artifact_uuid(&uuid)?;
    let headers = request.headers().clone();
    let multipart = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/"));
    let existing = store::artifact(&s.db, &uuid).await?;
    let project = artifact_project(&s, &access, existing.as_ref()).await?;
    let mut received = body::receive(request, &s.config, &ARTIFACT, None).await?;
    // Form-encoded fields arrive as the raw body.
    let mut fields: Vec<(String, String)> = std::mem::take(&mut received.fields);
    if !multipart {
        for f in received.files.drain(..) {
            if f.size > body::MAX_FIELD_BYTES as u64 {
                return Err(ApiError::BadRequest("the form is too large".into()).into());
            }
            let raw =
                tokio::fs::read(&f.path).await.map_err(|e| ApiError::internal(format!("reading the form: {e}")))?;
            fields.extend(url::form_urlencoded::parse(&raw).map(|(k, v)| (k.into_owned(), v.into_owned())));
        }
    }
    let get = |name: &str| fields.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let file = match received.files.len() {
        0 => None,
        1 => Some(received.files.remove(0)),
        n => return Err(ApiError::BadRequest(format!("send one file per artifact ({n} were sent)")).into()),
    };
    if existing.is_none() && file.is_none() {
        return Err(ApiError::BadRequest(format!(
            "artifact {uuid} does not exist: create it by uploading its file (a multipart 'file' part)"
        ))
        .into());
    }
    let ttl_days = match get("ttl_days").filter(|v| !v.trim().is_empty() && *v != "None") {
        Some(v) => Some(
            v.trim()
                .parse::<i64>()
                .ok()
                .filter(|d| (0..=36_500).contains(d))
                .ok_or_else(|| ApiError::BadRequest(format!("ttl_days must be a number of days, got '{v}'")))?,
        ),
        None => None,
    };
    let text = |name: &str, max: usize| -> ApiResult<Option<String>> {
        match get(name).filter(|v| *v != "None") {
            Some(v) if v.chars().count() > max => {
                Err(ApiError::BadRequest(format!("{name} is longer than {max} characters")))
            }
            Some(v) => Ok(Some(v.to_owned())),
            None => Ok(None),
        }
    };
    let filename = text("filename", 255)?.filter(|f| !f.is_empty());
    if let Some(f) = &filename {
        crate::ingest::artifacts::check_name(f).map_err(ApiError::BadRequest)?;
    }
    let mime = text("mime", 255)?.filter(|m| !m.is_empty());
    let description = text("description", 4000)?;
    let inline = flag("inline", get("inline"))?;
    let compression = flag("compression", get("compression"))?;
    let linked = uuid_list("linked_uuids", get("linked_uuids"))?;
    let unlinked = uuid_list("unlinked_uuids", get("unlinked_uuids"))?;
    let access = write::recheck_writer(&s.db, &headers, &project.slug).await?;

    // The content goes to the object store before its row is written.
    let content = match &file {
        Some(f) => {
            if !db::blobs::exists(&s.db, &f.sha256).await? {
                s.blobs
                    .put_file(&f.sha256, &f.path)
                    .await
                    .map_err(|e| ApiError::internal(format!("storing artifact {uuid}: {e}")))?;
            }
            Some((f.sha256.clone(), f.size as i64))
        }
        None => None,
    };
    let name = filename.clone().or_else(|| existing.as_ref().map(|e| e.filename.clone()));
    let default_mime = name
        .as_deref()
        .and_then(|n| mime_guess::from_path(n).first_raw())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let change =
        store::ArtifactChange { content: content.clone(), filename, mime, description, ttl_days, inline, compression };
    let now = db::now();
    let mut tx = s.db.begin_write().await?;
    // Read again in the transaction: a concurrent first upload of the uuid.
    let existing = store::artifact_in(&mut tx, &uuid).await?;
    if let Some((sha, size)) = &content {
        db::blobs::insert(&mut tx, sha, *size).await?;
    }
    let id = store::save_artifact(&mut tx, project.id, &uuid, existing.as_ref(), &change, &default_mime, now).await?;
    store::link(&mut tx, id, &linked).await?;
    store::unlink(&mut tx, id, &unlinked).await?;
    let verb = if existing.is_some() { "updated" } else { "created" };
    let detail = match &content {
        Some((sha, size)) => format!("PerfTracker artifact {uuid}, {size} bytes, sha256 {sha}"),
        None => format!("PerfTracker artifact {uuid}"),
    };
    let entry = Entry {
        project_id: Some(project.id),
        action: if existing.is_some() { "perftracker.artifact.update" } else { "perftracker.artifact.create" },
        target: name.unwrap_or_else(|| uuid.clone()),
        detail: Some(detail),
    };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(Json(json!({"message": format!("Artifact has been {verb}, uuid: {uuid}"), "uuid": uuid})))
}

async fn artifact_delete(
    State(s): State<AppState>,
    writer: Result<Writer, ApiError>,
    Path((_, uuid)): Path<(String, String)>,
) -> PtResult<Json<serde_json::Value>> {
    let Writer(access) = writer?;
    let a = readable_artifact(&s, &access, &uuid).await?;
    let project = artifact_project(&s, &access, Some(&a)).await?;
    let mut tx = s.db.begin_write().await?;
    store::delete_artifact(&mut tx, a.id, db::now()).await?;
    let entry = Entry {
        project_id: Some(project.id),
        action: "perftracker.artifact.delete",
        target: a.filename.clone(),
        detail: Some(format!("PerfTracker artifact {}", a.uuid)),
    };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(Json(json!({"message": format!("Artifact has been deleted, uuid: {}", a.uuid)})))
}

/// The artifact's content: as stored, or decompressed when it was sent
/// bz2-compressed (`compression`), as PerfTracker serves it.
async fn artifact_content(
    State(s): State<AppState>,
    reader: Result<Reader, ApiError>,
    Path((_, uuid)): Path<(String, String)>,
) -> PtResult<Response> {
    let Reader(access) = reader?;
    let a = readable_artifact(&s, &access, &uuid).await?;
    let gone = |when: chrono::DateTime<chrono::Utc>| {
        ApiError::Gone(format!("Data with UUID {} was deleted @ {}", a.uuid, when.to_rfc3339()))
    };
    if let Some(at) = a.deleted_at {
        return Err(gone(at).into());
    }
    if a.expires_at < db::now() {
        return Err(gone(a.expires_at).into());
    }
    let sha =
        a.sha256.clone().ok_or_else(|| ApiError::NotFound(format!("Can't find artifact file for UUID {}", a.uuid)))?;
    let disposition = if a.inline {
        "inline".to_owned()
    } else {
        format!("attachment; filename=\"{}\"", a.filename.replace(['"', '\\'], "_"))
    };
    let read =
        s.blobs.get(&sha, None).await.map_err(|e| ApiError::internal(format!("reading artifact {}: {e}", a.uuid)))?;
    let body = if a.compression {
        use futures_util::TryStreamExt;
        let chunks: Vec<bytes::Bytes> = read
            .stream
            .try_collect()
            .await
            .map_err(|e| ApiError::internal(format!("reading artifact {}: {e}", a.uuid)))?;
        let packed = chunks.concat();
        let uuid = a.uuid.clone();
        let plain = tokio::task::spawn_blocking(move || -> ApiResult<Vec<u8>> {
            use std::io::Read;
            let mut out = Vec::new();
            bzip2::read::MultiBzDecoder::new(&packed[..]).take(MAX_DECOMPRESSED + 1).read_to_end(&mut out).map_err(
                |e| ApiError::Parse {
                    file: uuid.clone(),
                    detail: format!("the artifact is marked compressed but is not bzip2: {e}"),
                    line: None,
                    column: None,
                },
            )?;
            if out.len() as u64 > MAX_DECOMPRESSED {
                return Err(ApiError::PayloadTooLarge { limit: MAX_DECOMPRESSED });
            }
            Ok(out)
        })
        .await
        .map_err(|e| ApiError::internal(format!("decompressing: {e}")))??;
        axum::body::Body::from(plain)
    } else {
        axum::body::Body::from_stream(read.stream)
    };
    let mut res = Response::new(body);
    let h = res.headers_mut();
    if let Ok(v) = axum::http::HeaderValue::from_str(&a.mime) {
        h.insert(axum::http::header::CONTENT_TYPE, v);
    }
    if let Ok(v) = axum::http::HeaderValue::from_str(&disposition) {
        h.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    // Whatever it holds, a browser never runs it as a page of this site.
    h.insert(axum::http::header::X_CONTENT_TYPE_OPTIONS, axum::http::HeaderValue::from_static("nosniff"));
    h.insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(res)
}

/// The artifacts linked to a PerfTracker job's uuid, for its job page.
pub async fn linked_artifacts(db: &db::Db, uuid: &str) -> ApiResult<Vec<shared::model::LinkedArtifact>> {
    let rows = store::artifacts_linked_to(db, uuid).await?;
    Ok(rows
        .into_iter()
        .map(|a| shared::model::LinkedArtifact {
            href: format!("/perftracker/api/v1.0/{}/artifact_content/{}", a.project_id, a.uuid),
            uuid: a.uuid,
            filename: a.filename,
            description: a.description,
            size_bytes: a.size_bytes,
            mime: a.mime,
            uploaded_at: a.uploaded_at,
            expires_at: a.expires_at,
        })
        .collect())
}

/// A suite run's job JSON.
async fn post_job(
    State(s): State<AppState>,
    writer: Result<Writer, ApiError>,
    Path(project): Path<String>,
    request: Request,
) -> PtResult<Response> {
    let Writer(access) = writer?;
    let project_id: i64 = project
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("the project id must be a number, got '{project}'")))?;
    let headers = request.headers().clone();
    // Who may write where is known before the body is read: the token's
    // project (a session user's projects are checked once the JSON names one).
    let by_path = match project_id {
        0 => None,
        id => Some(project_by_id(&s.db, &access, id).await?),
    };
    let mut received = body::receive(request, &s.config, &JOB, None).await?;
    if received.files.len() != 1 {
        return Err(ApiError::BadRequest(format!(
            "post one job JSON as the body ({} files were sent)",
            received.files.len()
        ))
        .into());
    }
    let file = received.files.remove(0);
    let kind = PerfResults { format: PerfFormatChoice::Exactly(PerfFormat::Perftracker) };
    let report = kind.prepare(&file).await?;
    let job_info = report.job.clone();
    let uuid = job_info.uuid.clone().filter(|u| !u.is_empty()).ok_or_else(|| {
        ApiError::BadRequest("job 'uuid' is not set: PerfTracker finds a job again by its uuid".into())
    })?;
    if !is_uuid(&uuid) {
        return Err(ApiError::BadRequest(format!("job 'uuid' value '{uuid}' is not a valid UUID")).into());
    }
    let named = job_info.properties.iter().find(|p| p.name == "project_name").map(|p| p.value.clone());
    let project = match (by_path, named.as_deref()) {
        (Some(p), None) => p,
        (Some(p), Some(name)) if name == p.slug || name == p.name => p,
        (Some(p), Some(name)) => {
            return Err(ApiError::BadRequest(format!(
                "project_name '{name}' is not project {project_id} ('{}') of the URL",
                p.slug
            ))
            .into());
        }
        (None, Some(name)) => project_by_name(&s.db, &access, name).await?,
        (None, None) => {
            return Err(ApiError::BadRequest("job json: key 'project_name' is not found".into()).into());
        }
    };
    let access = write::recheck_writer(&s.db, &headers, &project.slug).await?;
    let actor = access.actor();

    let now = db::now();
    let begin = time(&job_info.properties, "begin");
    let end = time(&job_info.properties, "end");
    let new_keys: Vec<(String, String, String)> = report
        .tests
        .iter()
        .map(|t| (t.group.clone().unwrap_or_default(), t.name.clone(), t.category.clone().unwrap_or_default()))
        .collect();

    let mut tx = s.db.begin_write().await?;
    let (target, label, verb) = match store::find_job(&mut tx, project.id, &uuid).await? {
        None => {
            let title = job_info.title.clone().unwrap_or_else(|| "PerfTracker job".into());
            let run_req = CreateRun {
                name: run_name(&title, &uuid),
                revision: job_info.product_version.clone(),
                branch: None,
                author: None,
                url: None,
                started_at: begin,
            };
            let (run, _) = write::create_run_in(&mut tx, &actor, &project, &run_req).await?;
            let job_req = CreateJob {
                key: JOB_KEY.into(),
                name: Some(truncate(job_info.suite.as_deref().unwrap_or(&title), 255)),
                platform: None,
                machine: job_info.machine.as_deref().map(|m| truncate(m, 255)),
                state: Some(JobState::Running),
                result: None,
                started_at: begin,
                finished_at: None,
                labels: None,
            };
            let (job, _) = write::create_job_in(&mut tx, &actor, &project, &run, &job_req).await?;
            let target = Target { project_id: project.id, run_id: run.id, job_id: job.id };
            (target, format!("{} / {}", run.name, job.key), Verb::Created)
        }
        Some(job_id) => {
            let job = db::jobs::by_id_in(&mut tx, job_id)
                .await?
                .ok_or_else(|| ApiError::internal(format!("job {job_id} of uuid {uuid} vanished")))?;
            let run_name = store::run_name(&mut tx, job.run_id).await?;
            let target = Target { project_id: project.id, run_id: job.run_id, job_id };
            let label = format!("{run_name} / {}", job.key);
            let stored = store::perf_uploads(&mut tx, job_id).await?;
            if job_info.append {
                if !stored.contains(&file.sha256) {
                    let have = store::test_keys(&mut tx, job_id).await?;
                    if let Some((g, t, c)) = new_keys.iter().find(|k| have.contains(k)) {
                        return Err(ApiError::BadRequest(format!(
                            "test with given group ('{g}'), tag ('{t}') and category ('{c}') already exists in job {uuid}"
                        ))
                        .into());
                    }
                }
                (target, label, Verb::Appended)
            } else {
                // Replaced, unless it holds exactly this already (a retry).
                if stored != [file.sha256.clone()] {
                    let removed = store::clear_perf(&mut tx, job_id, now).await?;
                    if removed > 0 {
                        let entry = Entry {
                            project_id: Some(project.id),
                            action: "perf.replace",
                            target: label.clone(),
                            detail: Some(format!("{removed} perf uploads replaced (PerfTracker job {uuid})")),
                        };
                        audit::record(&mut tx, &actor, entry).await?;
                    }
                }
                (target, label, Verb::Updated)
            }
        }
    };
    let place = Place { target, label };
    let outcome = ingest::ingest_in(&mut tx, &actor, &place, vec![(file, Some(report))], &kind).await?;
    let answer = outcome.into_iter().next().map(|o| o.answer);
    // The job is done once its JSON is in; its result is its tests'.
    // Counted after the ingest: an append's earlier tests count too.
    let any_failed = store::failed_tests(&mut tx, target.job_id).await? > 0;
    let update = UpdateJob {
        state: Some(JobState::Completed),
        result: Some(if any_failed { JobResult::Failure } else { JobResult::Success }),
        started_at: None,
        finished_at: end.or(Some(now)),
    };
    db::jobs::update(&mut tx, target.job_id, &update).await?;
    db::runs::refresh_status(&mut tx, target.run_id).await?;
    // The uuid's job, recorded (or its time touched) once it holds this upload.
    store::insert_job(&mut tx, project.id, &uuid, target.job_id, now).await?;
    tx.commit().await?;

    let run = db::runs::by_id(&s.db, project.id, target.run_id).await?;
    let url = run.map(|r| format!("/projects/{}/runs/{}/jobs/{}", project.slug, r.id, target.job_id));
    let body = json!({
        "message": format!("OK, job {} has been {}", target.job_id, verb.as_str()),
        "id": target.job_id,
        "uuid": uuid,
        "url": url,
        "tests": answer.as_ref().map(|a| a.tests),
        "duplicate": answer.as_ref().is_some_and(|a| a.duplicate),
    });
    Ok(Json(body).into_response())
}

async fn project_by_id(db: &db::Db, access: &Access, id: i64) -> ApiResult<db::projects::ProjectRow> {
    let p = db::projects::by_id(db, id).await?.ok_or_else(|| {
        ApiError::NotFound(format!("project {id} does not exist (GET /perftracker/api/v1.0/0/project/ lists them)"))
    })?;
    write::writable(db, access, &p.slug).await
}

async fn project_by_name(db: &db::Db, access: &Access, name: &str) -> ApiResult<db::projects::ProjectRow> {
    let projects = read::projects(db, access).await?;
    let found = projects.iter().find(|p| p.slug == name).or_else(|| projects.iter().find(|p| p.name == name));
    match found {
        Some(p) => write::writable(db, access, &p.slug).await,
        None => Err(ApiError::NotFound(format!("project '{name}' does not exist"))),
    }
}

/// A run's name: the job's title and its uuid (unique, and readable).
fn run_name(title: &str, uuid: &str) -> String {
    format!("{} · {uuid}", truncate(title.trim(), 200))
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// Canonical UUID text: 32 hex digits in groups of 8-4-4-4-12.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `begin` or `end` of the job, when it carries a time zone (the client
/// writes local time with its offset).
fn time(props: &[shared::model::Property], key: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let v = props.iter().find(|p| p.name == key)?;
    chrono::DateTime::parse_from_rfc3339(v.value.trim()).ok().map(|t| t.with_timezone(&chrono::Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids() {
        assert!(is_uuid("4a9c1e5e-d0a1-11ee-8000-000000000001"));
        assert!(!is_uuid("4a9c1e5e-d0a1-11ee-8000-00000000001"));
        assert!(!is_uuid("4a9c1e5e-d0a1-11ee-8000-00000000000g"));
        assert!(!is_uuid("x"));
    }
}
