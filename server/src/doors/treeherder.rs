//! Treeherder's REST API, as the unmodified `treeherder-client` 3.1.0 uses
//! it: `TreeherderClient(server_url="http://assay-host/treeherder",
//! client_id=…, secret=…)`, with Hawk credentials made in the project's
//! settings or with `assay hawk create PROJECT`.
//!
//! - `POST /api/project/{project}/resultset/`: resultsets (pushes). A
//!   push is an Assay run named by its revision; posting it again fills in
//!   what is new (author, time, revisions) and never duplicates it.
//! - `POST /api/project/{project}/jobs/`: jobs, found again by `job_guid`
//!   (the Assay job's key): a job posted again is updated (pending, then
//!   running, then completed), never duplicated; the guids in `coalesced`
//!   are marked as coalesced into it. Its run is its revision's push
//!   (made when the job comes first). Treeherder's fields (symbols, group,
//!   tier, reason, who, platforms, options, timestamps, log references)
//!   are kept and shown on the job page; embedded artifacts are stored.
//! - `POST /api/project/{project}/artifact/`: artifacts of known jobs. A
//!   "Job Info" artifact's `job_details` are shown on the job page: text as
//!   text, links as links (http and https only), `raw_html` sanitised.
//! - The reads the client makes: `resultset/`, `jobs/`, `jobdetail/`,
//!   `job-log-url/`, `artifact/`, `optioncollectionhash/`, `repository/`,
//!   with `count` and `offset`; open as the rest of the API is (the client
//!   cannot sign a GET: mohawk refuses to hash an empty body).
//!
//! A request's collection is stored in one transaction: all of it or,
//! on any error, nothing.

use crate::api::extract::Reader;
use crate::auth::hawk;
use crate::auth::{Credential, CredentialKind, Principal};
use crate::db::audit::{self, Entry};
use crate::db::projects::ProjectRow;
use crate::db::{self, treeherder as store};
use crate::error::{ApiError, ApiResult};
use crate::service::access::{Access, require_writable};
use crate::service::{read, write};
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, Request, State};
use axum::http::{HeaderMap, header};
use axum::response::Json;
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::model::{CreateJob, CreateRun, UpdateJob};
use shared::treeherder::{JobInfoDetail, Platform, TreeherderJob, TreeherderLog};
use shared::{JobResult, JobState};

/// Largest collection accepted in one request (Treeherder's clients post
/// in chunks well under it).
const MAX_COLLECTION_BYTES: usize = 32 * 1024 * 1024;
/// Most items per collection.
const MAX_ITEMS: usize = 5_000;
/// The most results a list answers at once (the client's `MAX_COUNT`).
const MAX_COUNT: i64 = 2_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/project/{project}/resultset/", get(list_resultsets).post(post_resultsets))
        .route("/api/project/{project}/push/", get(list_resultsets))
        .route("/api/project/{project}/jobs/", get(list_jobs).post(post_jobs))
        .route("/api/project/{project}/artifact/", get(list_artifacts).post(post_artifacts))
        .route("/api/project/{project}/job-log-url/", get(job_log_urls))
        .route("/api/jobdetail/", get(job_details))
        .route("/api/optioncollectionhash/", get(option_collection_hashes))
        .route("/api/repository/", get(repositories))
}

// ---------------------------------------------------------------- Hawk

/// The request's Hawk caller, once its MAC, payload hash, timestamp and
/// nonce are verified, and the project it writes to (that of its
/// credential: any other is a 403).
async fn hawk_writer(s: &AppState, slug: &str, request: Request) -> ApiResult<(Access, ProjectRow, Bytes)> {
    let (parts, body) = request.into_parts();
    let auth = parts.headers.get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or("(not text)"));
    let presented = hawk::presented(auth)?;
    let body = axum::body::to_bytes(body, MAX_COLLECTION_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge { limit: MAX_COLLECTION_BYTES as u64 })?;
    let row = db::hawk::live(&s.db, &presented.id).await?.ok_or_else(|| {
        ApiError::Forbidden(format!("Hawk authentication failed: client id '{}' is unknown or revoked", presented.id))
    })?;
    let secret = s.config.sealing_key.open(&row.client_id, &row.secret_sealed).ok_or_else(|| {
        ApiError::internal(format!(
            "the secret of Hawk client '{}' was sealed under another key: start the server with the \
             ASSAY_SECRET_KEY (or data directory secret.key) it was created with",
            row.client_id
        ))
    })?;
    let path = parts.extensions.get::<OriginalUri>().map(|u| u.0.clone()).unwrap_or_else(|| parts.uri.clone());
    let path = path.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
    let (host, port) = host_and_port(&parts.headers, s.config.trust_proxy);
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let signed =
        hawk::Signed { method: parts.method.as_str(), host: &host, port, path: &path, content_type, body: &body };
    hawk::verify(&presented, &secret, &signed)?;
    let keep = chrono::Duration::from_std(hawk::SKEW * 3).unwrap_or(chrono::Duration::minutes(3));
    if !db::hawk::first_use(&s.db, row.id, &presented.nonce, presented.ts, keep).await? {
        return Err(ApiError::Forbidden(
            "Hawk authentication failed: this request was already received (its nonce and timestamp were used \
             before): a replay is refused"
                .into(),
        ));
    }
    let project = db::projects::by_id(&s.db, row.project_id)
        .await?
        .ok_or_else(|| ApiError::Forbidden("the Hawk credential's project no longer exists".into()))?;
    if project.slug != slug {
        return Err(ApiError::Forbidden(format!(
            "Hawk client '{}' writes to project '{}', not '{slug}'",
            row.client_id, project.slug
        )));
    }
    require_writable(&project)?;
    let access = Access {
        principal: Principal::Credential(Credential {
            kind: CredentialKind::Hawk,
            id: row.id,
            project_id: project.id,
            write: true,
            label: format!("Hawk client {}", row.client_id),
        }),
        settings: db::settings::load(&s.db).await?,
    };
    Ok((access, project, body))
}

/// The host and port the client signed: the `Host` header's (or, behind
/// a trusted proxy, `X-Forwarded-Host`'s), the port from it or the scheme's.
fn host_and_port(headers: &HeaderMap, trust_proxy: bool) -> (String, u16) {
    let get =
        |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(|v| v.split(',').next().unwrap_or(v).trim());
    let host =
        (if trust_proxy { get("x-forwarded-host") } else { None }).or_else(|| get("host")).unwrap_or("localhost");
    let https = trust_proxy && get("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let default_port = if https { 443 } else { 80 };
    // "[::1]:3000", "example.com:3000", "example.com".
    match host.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => {
            (h.to_owned(), p.parse().unwrap_or(default_port))
        }
        _ => (host.to_owned(), default_port),
    }
}

fn collection<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> ApiResult<Vec<T>> {
    let items: Vec<T> = serde_json::from_slice(body).map_err(|e| {
        ApiError::BadRequest(format!("the body must be a JSON list of {what} (a {what} collection): {e}"))
    })?;
    if items.is_empty() {
        return Err(ApiError::BadRequest(format!("the {what} collection is empty")));
    }
    if items.len() > MAX_ITEMS {
        return Err(ApiError::BadRequest(format!(
            "{} {what} in one collection: post at most {MAX_ITEMS} at a time",
            items.len()
        )));
    }
    Ok(items)
}

fn stored() -> Json<Value> {
    Json(json!({"message": "well-formed JSON stored"}))
}

/// Free text kept: control characters dropped, at most `max` characters.
fn text(v: Option<&str>, max: usize) -> Option<String> {
    let t: String = v?.chars().filter(|c| !c.is_control()).take(max).collect();
    let t = t.trim().to_owned();
    (!t.is_empty()).then_some(t)
}

/// A timestamp as the client sends it: a number, a numeric string, or ""
/// (unset).
fn epoch(v: &Option<Value>) -> Option<i64> {
    match v.as_ref()? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<f64>().ok().map(|f| f as i64),
        _ => None,
    }
    .filter(|t| *t > 0)
}

fn time_of(epoch: Option<i64>) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(epoch?, 0)
}

// ---------------------------------------------------------- resultsets

#[derive(Debug, Deserialize)]
struct ResultSetIn {
    revision: Option<String>,
    revision_hash: Option<String>,
    author: Option<String>,
    push_timestamp: Option<Value>,
    #[serde(default)]
    revisions: Vec<RevisionIn>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
struct RevisionIn {
    revision: String,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    repository: Option<String>,
}

fn revision_of(revision: &Option<String>, hash: &Option<String>, place: &str) -> ApiResult<String> {
    let r = revision.as_deref().or(hash.as_deref()).map(str::trim).unwrap_or("");
    if r.is_empty() {
        return Err(ApiError::BadRequest(format!("{place}: 'revision' is required")));
    }
    if r.chars().count() > 50 || !r.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::BadRequest(format!(
            "{place}: 'revision' must be a commit hash (letters and digits, at most 50), got '{}'",
            r.chars().take(60).collect::<String>()
        )));
    }
    Ok(r.to_owned())
}

/// The run of a revision's push, made when new.
async fn push_run(
    tx: &mut db::Tx,
    access: &Access,
    project: &ProjectRow,
    revision: &str,
    author: Option<String>,
    push_timestamp: Option<i64>,
    revisions: &[RevisionIn],
) -> ApiResult<db::rows::RunRow> {
    let req = CreateRun {
        name: revision.to_owned(),
        revision: Some(revision.to_owned()),
        branch: None,
        author: author.clone(),
        url: None,
        started_at: time_of(push_timestamp),
    };
    let (run, _) = write::create_run_in(tx, &access.actor(), project, &req).await?;
    let revisions = serde_json::to_string(revisions).unwrap_or_else(|_| "[]".into());
    let push = store::Push {
        run_id: run.id,
        project_id: project.id,
        revision,
        author: author.as_deref(),
        push_timestamp,
        revisions: &revisions,
    };
    store::save_push(tx, &push).await?;
    Ok(run)
}

async fn post_resultsets(
    State(s): State<AppState>,
    Path(slug): Path<String>,
    request: Request,
) -> ApiResult<Json<Value>> {
    let (access, project, body) = hawk_writer(&s, &slug, request).await?;
    let items: Vec<ResultSetIn> = collection(&body, "resultsets")?;
    let mut checked = Vec::with_capacity(items.len());
    for (i, r) in items.into_iter().enumerate() {
        let place = format!("resultset {i}");
        let revision = revision_of(&r.revision, &r.revision_hash, &place)?;
        let revisions: Vec<RevisionIn> = r
            .revisions
            .into_iter()
            .map(|v| RevisionIn {
                revision: v.revision.chars().take(50).collect(),
                author: text(v.author.as_deref(), 255),
                comment: v.comment.map(|c| c.chars().take(10_000).collect()),
                repository: text(v.repository.as_deref(), 255),
            })
            .collect();
        checked.push((revision, text(r.author.as_deref(), 255), epoch(&r.push_timestamp), revisions));
    }
    let mut tx = s.db.begin_write().await?;
    for (revision, author, ts, revisions) in &checked {
        push_run(&mut tx, &access, &project, revision, author.clone(), *ts, revisions).await?;
    }
    tx.commit().await?;
    Ok(stored())
}

// ---------------------------------------------------------------- jobs

#[derive(Debug, Deserialize)]
struct JobSubmission {
    revision: Option<String>,
    revision_hash: Option<String>,
    job: Option<JobIn>,
    #[serde(default)]
    coalesced: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct PlatformIn {
    #[serde(default)]
    os_name: Option<String>,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    architecture: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LogIn {
    name: Option<String>,
    url: Option<String>,
    parse_status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct ArtifactIn {
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    blob: Option<Value>,
    #[serde(default)]
    job_guid: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct JobIn {
    job_guid: Option<String>,
    name: Option<String>,
    desc: Option<String>,
    job_symbol: Option<String>,
    group_name: Option<String>,
    group_symbol: Option<String>,
    product_name: Option<String>,
    state: Option<String>,
    result: Option<String>,
    reason: Option<String>,
    who: Option<String>,
    tier: Option<Value>,
    submit_timestamp: Option<Value>,
    start_timestamp: Option<Value>,
    end_timestamp: Option<Value>,
    machine: Option<String>,
    build_platform: Option<PlatformIn>,
    machine_platform: Option<PlatformIn>,
    option_collection: Option<serde_json::Map<String, Value>>,
    reference_data_name: Option<String>,
    #[serde(default)]
    log_references: Vec<LogIn>,
    #[serde(default)]
    artifacts: Vec<ArtifactIn>,
    artifact: Option<ArtifactIn>,
}

const STATES: &[&str] = &["pending", "running", "completed"];
const RESULTS: &[&str] =
    &["success", "testfailed", "busted", "exception", "retry", "usercancel", "unknown", "skipped", "superseded"];

fn state_of(s: &str) -> JobState {
    match s {
        "running" => JobState::Running,
        "completed" => JobState::Completed,
        _ => JobState::Pending,
    }
}

/// Treeherder's result in Assay's words (Treeherder's own stays on the job).
fn result_of(r: &str) -> JobResult {
    match r {
        "success" => JobResult::Success,
        "testfailed" => JobResult::Failure,
        "busted" | "exception" => JobResult::Error,
        "retry" | "usercancel" | "superseded" => JobResult::Cancelled,
        "skipped" => JobResult::Skipped,
        _ => JobResult::Unknown,
    }
}

/// Treeherder's option collection hash: SHA-1 of the sorted option names.
pub fn option_collection_hash(options: &[String]) -> String {
    use sha1::Digest;
    let mut sorted = options.to_vec();
    sorted.sort();
    hex::encode(sha1::Sha1::digest(sorted.concat().as_bytes()))
}

fn platform(p: Option<PlatformIn>) -> Option<Platform> {
    let p = p?;
    let t = |v: Option<String>| text(v.as_deref(), 100).unwrap_or_default();
    let out = Platform { os_name: t(p.os_name), platform: t(p.platform), architecture: t(p.architecture) };
    (out != Platform::default()).then_some(out)
}

/// An http(s) URL, or `None`.
fn web_url(u: Option<&str>) -> Option<String> {
    let u = u?.trim();
    let parsed = url::Url::parse(u).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| u.chars().take(2000).collect())
}

/// One job of a collection, checked and made into what is stored.
struct CheckedJob {
    revision: String,
    fields: TreeherderJob,
    artifacts: Vec<CheckedArtifact>,
    coalesced: Vec<String>,
}

fn check_guid(g: Option<&str>, place: &str) -> ApiResult<String> {
    let g = g.map(str::trim).unwrap_or("");
    if g.is_empty() {
        return Err(ApiError::BadRequest(format!("{place}: 'job_guid' is required")));
    }
    shared::validate::name("job_guid", g).map_err(|e| ApiError::BadRequest(format!("{place}: {e}")))?;
    Ok(g.to_owned())
}

fn check_job(sub: JobSubmission, place: &str) -> ApiResult<CheckedJob> {
    let revision = revision_of(&sub.revision, &sub.revision_hash, place)?;
    let job = sub.job.ok_or_else(|| ApiError::BadRequest(format!("{place}: 'job' is required")))?;
    let guid = check_guid(job.job_guid.as_deref(), place)?;
    let word = |v: Option<&str>, allowed: &[&str], field: &str, default: &str| -> ApiResult<String> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(default.to_owned()),
            Some(v) if allowed.contains(&v) => Ok(v.to_owned()),
            Some(v) => Err(ApiError::BadRequest(format!(
                "{place} (job {guid}): '{field}' must be one of {}, got '{v}'",
                allowed.join(", ")
            ))),
        }
    };
    let state = word(job.state.as_deref(), STATES, "state", "pending")?;
    let result = word(job.result.as_deref(), RESULTS, "result", "unknown")?;
    let tier = match &job.tier {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(v) => Some(
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|t| (1..=3).contains(t))
                .ok_or_else(|| {
                    ApiError::BadRequest(format!("{place} (job {guid}): 'tier' must be 1, 2 or 3, got {v}"))
                })?,
        ),
    };
    let mut options: Vec<String> = job
        .option_collection
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, v)| !matches!(v, Value::Bool(false) | Value::Null))
        .filter_map(|(k, _)| text(Some(&k), 100))
        .collect();
    options.sort();
    options.dedup();
    let mut logs = Vec::new();
    for l in job.log_references {
        let (Some(name), Some(url)) = (text(l.name.as_deref(), 255), web_url(l.url.as_deref())) else {
            continue;
        };
        let parse_status = text(l.parse_status.as_deref(), 20).unwrap_or_else(|| "pending".into());
        logs.push(TreeherderLog { name, url, parse_status });
    }
    let mut artifacts = Vec::new();
    for a in job.artifacts.into_iter().chain(job.artifact) {
        // The client's empty placeholder ({"name": "", "blob": ""}).
        if a.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            continue;
        }
        if a.blob.as_ref().is_none_or(|b| b.is_null() || b.as_str().is_some_and(str::is_empty)) {
            continue;
        }
        artifacts.push(check_artifact(a, &format!("{place} (job {guid})"))?);
    }
    let fields = TreeherderJob {
        job_guid: guid.clone(),
        name: text(job.name.as_deref(), 255),
        description: text(job.desc.as_deref(), 1000),
        job_symbol: text(job.job_symbol.as_deref(), 50),
        group_name: text(job.group_name.as_deref(), 255),
        group_symbol: text(job.group_symbol.as_deref(), 50),
        product_name: text(job.product_name.as_deref(), 100),
        state,
        result,
        reason: text(job.reason.as_deref(), 255),
        who: text(job.who.as_deref(), 255),
        tier,
        machine: text(job.machine.as_deref(), 255),
        build_platform: platform(job.build_platform),
        machine_platform: platform(job.machine_platform),
        option_collection_hash: (!options.is_empty()).then(|| option_collection_hash(&options)),
        options,
        submit_timestamp: epoch(&job.submit_timestamp),
        start_timestamp: epoch(&job.start_timestamp),
        end_timestamp: epoch(&job.end_timestamp),
        reference_data_name: text(job.reference_data_name.as_deref(), 255),
        logs,
    };
    let coalesced = sub.coalesced.iter().filter_map(|g| text(Some(g), 255)).filter(|g| *g != guid).collect();
    Ok(CheckedJob { revision, fields, artifacts, coalesced })
}

/// The Assay job's labels: its symbol as Treeherder shows it, its options
/// and its tier when not 1.
fn labels(f: &TreeherderJob) -> Vec<String> {
    let mut out = Vec::new();
    match (&f.group_symbol, &f.job_symbol) {
        (Some(g), Some(j)) if g != "?" => out.push(format!("{g}({j})")),
        (_, Some(j)) => out.push(j.clone()),
        _ => {}
    }
    out.extend(f.options.iter().cloned());
    if let Some(t) = f.tier.filter(|t| *t != 1) {
        out.push(format!("tier {t}"));
    }
    out.truncate(50);
    out
}

async fn post_jobs(State(s): State<AppState>, Path(slug): Path<String>, request: Request) -> ApiResult<Json<Value>> {
    let (access, project, body) = hawk_writer(&s, &slug, request).await?;
    let items: Vec<JobSubmission> = collection(&body, "jobs")?;
    let mut checked = Vec::with_capacity(items.len());
    for (i, sub) in items.into_iter().enumerate() {
        checked.push(check_job(sub, &format!("job {i}"))?);
    }
    let actor = access.actor();
    let mut tx = s.db.begin_write().await?;
    for job in &checked {
        store_job(&mut tx, &access, &project, job).await?;
    }
    let updated = checked.len();
    audit::record(
        &mut tx,
        &actor,
        Entry {
            project_id: Some(project.id),
            action: "treeherder.jobs",
            target: project.slug.clone(),
            detail: Some(format!("{updated} jobs posted")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(stored())
}

async fn store_job(tx: &mut db::Tx, access: &Access, project: &ProjectRow, job: &CheckedJob) -> ApiResult<()> {
    let f = &job.fields;
    let json = serde_json::to_string(f).map_err(|e| ApiError::internal(format!("job fields: {e}")))?;
    let state = state_of(&f.state);
    let result = result_of(&f.result);
    let started_at = time_of(f.start_timestamp);
    let finished_at = if state == JobState::Completed { time_of(f.end_timestamp) } else { None };
    let job_id = match store::job_by_guid(tx, project.id, &f.job_guid).await? {
        Some((job_id, _, stored)) if stored == json => job_id,
        Some((job_id, run_id, _)) => {
            let update = UpdateJob { state: Some(state), result: Some(result), started_at, finished_at };
            db::jobs::update(tx, job_id, &update).await?;
            db::runs::refresh_status(tx, run_id).await?;
            store::save_job(tx, job_id, project.id, run_id, &f.job_guid, &json).await?;
            job_id
        }
        None => {
            let run = match store::push_run(tx, project.id, &job.revision).await? {
                Some(run_id) => db::runs::by_id_in(tx, project.id, run_id)
                    .await?
                    .ok_or_else(|| ApiError::internal(format!("run {run_id} of a push vanished")))?,
                None => push_run(tx, access, project, &job.revision, None, None, &[]).await?,
            };
            let req = CreateJob {
                key: f.job_guid.clone(),
                name: f.name.clone().or_else(|| f.job_symbol.clone()),
                platform: f.machine_platform.as_ref().map(|p| p.platform.clone()).filter(|p| !p.is_empty()),
                machine: f.machine.clone(),
                state: Some(state),
                result: Some(result),
                started_at,
                finished_at,
                labels: Some(labels(f)),
            };
            let (row, created) = write::create_job_in(tx, &access.actor(), project, &run, &req).await?;
            if !created {
                // The run has a job of that key made elsewhere: make it this one.
                let update = UpdateJob { state: Some(state), result: Some(result), started_at, finished_at };
                db::jobs::update(tx, row.id, &update).await?;
                db::runs::refresh_status(tx, run.id).await?;
            }
            store::save_job(tx, row.id, project.id, run.id, &f.job_guid, &json).await?;
            row.id
        }
    };
    if let Some(hash) = &f.option_collection_hash {
        let options = serde_json::to_string(&f.options).unwrap_or_else(|_| "[]".into());
        store::save_option_collection(tx, hash, &options).await?;
    }
    if !job.coalesced.is_empty() {
        store::coalesce(tx, project.id, &job.coalesced, &f.job_guid).await?;
    }
    for a in &job.artifacts {
        store_artifact(tx, job_id, a).await?;
    }
    crate::service::logs::enqueue_urls(tx, project.id, job_id, &f.logs).await?;
    Ok(())
}

// ----------------------------------------------------------- artifacts

struct CheckedArtifact {
    name: String,
    kind: String,
    /// The blob as JSON text (a string blob holding JSON is parsed).
    blob: String,
    details: Option<Vec<JobInfoDetail>>,
    job_guid: Option<String>,
}

/// Largest artifact blob kept, in bytes.
const MAX_BLOB_BYTES: usize = 4 * 1024 * 1024;

fn check_artifact(a: ArtifactIn, place: &str) -> ApiResult<CheckedArtifact> {
    let name = text(a.name.as_deref(), 255)
        .ok_or_else(|| ApiError::BadRequest(format!("{place}: artifact 'name' is required")))?;
    let place = format!("{place}, artifact '{name}'");
    let kind = text(a.kind.as_deref(), 50).unwrap_or_else(|| "json".into());
    let blob = match a.blob {
        None | Some(Value::Null) => return Err(ApiError::BadRequest(format!("{place}: 'blob' is required"))),
        // A blob sent as a JSON string is parsed when it holds JSON.
        Some(Value::String(s)) => serde_json::from_str::<Value>(&s).unwrap_or(Value::String(s)),
        Some(v) => v,
    };
    let text_blob = serde_json::to_string(&blob).unwrap_or_default();
    if text_blob.len() > MAX_BLOB_BYTES {
        return Err(ApiError::BadRequest(format!("{place}: the blob is larger than {MAX_BLOB_BYTES} bytes")));
    }
    let details = if name == "Job Info" { Some(job_info(&blob, &place)?) } else { None };
    Ok(CheckedArtifact { name, kind, blob: text_blob, details, job_guid: a.job_guid })
}

/// A Job Info blob's `job_details`, made safe to show.
fn job_info(blob: &Value, place: &str) -> ApiResult<Vec<JobInfoDetail>> {
    let list = blob
        .get("job_details")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::BadRequest(format!("{place}: a Job Info blob holds 'job_details', a list")))?;
    let mut out = Vec::new();
    for (i, d) in list.iter().take(500).enumerate() {
        let field = |k: &str| {
            d.get(k).and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let content_type = field("content_type").unwrap_or_else(|| "text".into());
        let title = text(field("title").as_deref(), 255);
        let value = field("value").map(|v| v.chars().take(10_000).collect::<String>());
        let detail = match content_type.as_str() {
            "raw_html" => JobInfoDetail { content_type, title, value: value.map(|v| ammonia::clean(&v)), url: None },
            "link" => {
                let url = web_url(field("url").as_deref());
                JobInfoDetail {
                    content_type: if url.is_some() { "link".into() } else { "text".into() },
                    title,
                    value,
                    url,
                }
            }
            "text" | "object" => JobInfoDetail { content_type: "text".into(), title, value, url: None },
            other => {
                return Err(ApiError::BadRequest(format!(
                    "{place}: job_details[{i}] has content_type '{other}' (text, link or raw_html)"
                )));
            }
        };
        out.push(detail);
    }
    Ok(out)
}

async fn store_artifact(tx: &mut db::Tx, job_id: i64, a: &CheckedArtifact) -> ApiResult<()> {
    store::save_artifact(tx, job_id, &a.name, &a.kind, &a.blob).await?;
    if let Some(details) = &a.details {
        store::replace_details(tx, job_id, details).await?;
    }
    Ok(())
}

async fn post_artifacts(
    State(s): State<AppState>,
    Path(slug): Path<String>,
    request: Request,
) -> ApiResult<Json<Value>> {
    let (access, project, body) = hawk_writer(&s, &slug, request).await?;
    let items: Vec<ArtifactIn> = collection(&body, "artifacts")?;
    let mut checked = Vec::with_capacity(items.len());
    for (i, a) in items.into_iter().enumerate() {
        let place = format!("artifact {i}");
        let guid = check_guid(a.job_guid.as_deref(), &place)?;
        let mut c = check_artifact(a, &place)?;
        c.job_guid = Some(guid);
        checked.push(c);
    }
    let mut tx = s.db.begin_write().await?;
    for a in &checked {
        let guid = a.job_guid.as_deref().unwrap_or_default();
        let Some((job_id, _, _)) = store::job_by_guid(&mut tx, project.id, guid).await? else {
            return Err(ApiError::BadRequest(format!(
                "artifact '{}': no job with job_guid '{guid}' in project '{}' (post the job first)",
                a.name, project.slug
            )));
        };
        store_artifact(&mut tx, job_id, a).await?;
    }
    audit::record(
        &mut tx,
        &access.actor(),
        Entry {
            project_id: Some(project.id),
            action: "treeherder.artifacts",
            target: project.slug.clone(),
            detail: Some(format!("{} artifacts posted", checked.len())),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(stored())
}

// --------------------------------------------------------------- reads

#[derive(Debug, Deserialize)]
struct Paging {
    count: Option<i64>,
    offset: Option<i64>,
    revision: Option<String>,
    id: Option<i64>,
    job_guid: Option<String>,
    job_id: Option<i64>,
    result_set_id: Option<i64>,
    push_id: Option<i64>,
    name: Option<String>,
}

fn paging(q: &Paging, default: i64) -> (i64, i64) {
    (q.count.unwrap_or(default).clamp(1, MAX_COUNT), q.offset.unwrap_or(0).max(0))
}

async fn readable(s: &AppState, access: &Access, slug: &str) -> ApiResult<ProjectRow> {
    let p = read::project(&s.db, slug).await?;
    access.require_read(&s.db, &p).await?;
    Ok(p)
}

async fn list_resultsets(
    State(s): State<AppState>,
    reader: Result<Reader, ApiError>,
    Path(slug): Path<String>,
    Query(q): Query<Paging>,
) -> ApiResult<Json<Value>> {
    let Reader(access) = reader?;
    let p = readable(&s, &access, &slug).await?;
    let (count, offset) = paging(&q, 10);
    let rows = store::pushes(&s.db, p.id, q.revision.as_deref(), q.id, count, offset).await?;
    let results: Vec<Value> = rows
        .iter()
        .map(|r| {
            let revisions: Vec<Value> = serde_json::from_str::<Vec<Value>>(&r.revisions)
                .unwrap_or_default()
                .into_iter()
                .map(|mut v| {
                    v["result_set_id"] = json!(r.run_id);
                    v["repository_id"] = json!(r.project_id);
                    v
                })
                .collect();
            json!({
                "id": r.run_id, "revision": r.revision, "author": r.author, "push_timestamp": r.push_timestamp,
                "revision_count": revisions.len(), "revisions": revisions, "repository_id": r.project_id,
            })
        })
        .collect();
    Ok(Json(json!({"meta": {"count": results.len(), "offset": offset, "repository": p.slug}, "results": results})))
}

fn job_json(r: &store::JobRow) -> Value {
    let f = r.fields();
    let plat = |p: &Option<Platform>| p.clone().unwrap_or_default();
    let (b, m) = (plat(&f.build_platform), plat(&f.machine_platform));
    json!({
        "id": r.job_id, "job_guid": f.job_guid, "push_id": r.run_id, "result_set_id": r.run_id,
        "state": f.state, "result": f.result, "tier": f.tier.unwrap_or(1), "reason": f.reason, "who": f.who,
        "job_type_name": f.name, "job_type_symbol": f.job_symbol, "job_type_description": f.description,
        "job_group_name": f.group_name, "job_group_symbol": f.group_symbol, "product_name": f.product_name,
        "build_os": b.os_name, "build_platform": b.platform, "build_architecture": b.architecture,
        "machine_platform_os": m.os_name, "platform": m.platform, "machine_platform_architecture": m.architecture,
        "machine_name": f.machine, "option_collection_hash": f.option_collection_hash,
        "submit_timestamp": f.submit_timestamp, "start_timestamp": f.start_timestamp,
        "end_timestamp": f.end_timestamp, "ref_data_name": f.reference_data_name,
        "coalesced_to_guid": r.coalesced_into, "last_modified": r.updated_at,
    })
}

async fn list_jobs(
    State(s): State<AppState>,
    reader: Result<Reader, ApiError>,
    Path(slug): Path<String>,
    Query(q): Query<Paging>,
) -> ApiResult<Json<Value>> {
    let Reader(access) = reader?;
    let p = readable(&s, &access, &slug).await?;
    let (count, offset) = paging(&q, MAX_COUNT);
    let filter = store::JobFilter {
        guid: q.job_guid.as_deref(),
        job_id: q.job_id.or(q.id),
        push_id: q.push_id.or(q.result_set_id),
    };
    let rows = store::jobs(&s.db, p.id, &filter, count, offset).await?;
    let results: Vec<Value> = rows.iter().map(job_json).collect();
    Ok(Json(json!({"meta": {"count": results.len(), "offset": offset, "repository": p.slug}, "results": results})))
}

/// The jobs `q` names (by guid or id) in projects the caller may read.
async fn named_jobs(s: &AppState, access: &Access, q: &Paging) -> ApiResult<Vec<store::JobRow>> {
    if q.job_guid.is_none() && q.job_id.is_none() {
        return Err(ApiError::BadRequest("give job_guid or job_id".into()));
    }
    let projects: Vec<i64> = read::projects(&s.db, access).await?.iter().map(|p| p.id).collect();
    Ok(store::find_job(&s.db, &projects, q.job_guid.as_deref(), q.job_id).await?)
}

async fn job_details(
    State(s): State<AppState>,
    reader: Result<Reader, ApiError>,
    Query(q): Query<Paging>,
) -> ApiResult<Json<Value>> {
    let Reader(access) = reader?;
    let mut results = Vec::new();
    for job in named_jobs(&s, &access, &q).await? {
        for d in store::details(&s.db, job.job_id).await? {
            results.push(json!({
                "job_guid": job.job_guid, "job_id": job.job_id, "title": d.title, "value": d.value, "url": d.url,
            }));
        }
    }
    Ok(Json(json!({"results": results})))
}

async fn job_log_urls(
    State(s): State<AppState>,
    reader: Result<Reader, ApiError>,
    Path(slug): Path<String>,
    Query(q): Query<Paging>,
) -> ApiResult<Json<Vec<Value>>> {
    let Reader(access) = reader?;
    let p = readable(&s, &access, &slug).await?;
    let mut out = Vec::new();
    for job in named_jobs(&s, &access, &q).await?.into_iter().filter(|j| j.project_id == p.id) {
        let parses = db::log_parses::for_job(&s.db, job.job_id).await?;
        for (i, l) in job.fields().logs.iter().enumerate() {
            // What Assay's parse of it came to, in Treeherder's words.
            let status = match parses.iter().find(|p| p.name == l.name && p.url.as_deref() == Some(l.url.as_str())) {
                Some(p) if p.state == "parsed" => "parsed",
                Some(p) if p.state == "failed" && p.error.as_deref().is_some_and(|e| e.contains("larger than")) => {
                    "skipped-size"
                }
                Some(p) if p.state == "failed" => "failed",
                Some(_) => "pending",
                None => l.parse_status.as_str(),
            };
            out.push(json!({
                "id": job.job_id * 100 + i as i64, "job_id": job.job_id, "name": l.name, "url": l.url,
                "parse_status": status,
            }));
        }
    }
    Ok(Json(out))
}

async fn list_artifacts(
    State(s): State<AppState>,
    reader: Result<Reader, ApiError>,
    Path(slug): Path<String>,
    Query(q): Query<Paging>,
) -> ApiResult<Json<Vec<Value>>> {
    let Reader(access) = reader?;
    let p = readable(&s, &access, &slug).await?;
    let mut out = Vec::new();
    for job in named_jobs(&s, &access, &q).await?.into_iter().filter(|j| j.project_id == p.id) {
        for (name, kind, blob) in store::artifacts(&s.db, job.job_id, q.name.as_deref()).await? {
            let blob: Value = serde_json::from_str(&blob).unwrap_or(Value::String(blob));
            out.push(json!({"job_id": job.job_id, "job_guid": job.job_guid, "name": name, "type": kind, "blob": blob}));
        }
    }
    Ok(Json(out))
}

async fn option_collection_hashes(State(s): State<AppState>) -> ApiResult<Json<Vec<Value>>> {
    let rows = store::option_collections(&s.db).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(hash, options)| {
                let names: Vec<String> = serde_json::from_str(&options).unwrap_or_default();
                let options: Vec<Value> = names.into_iter().map(|n| json!({"name": n})).collect();
                json!({"option_collection_hash": hash, "options": options})
            })
            .collect(),
    ))
}

async fn repositories(State(s): State<AppState>, reader: Result<Reader, ApiError>) -> ApiResult<Json<Vec<Value>>> {
    let Reader(access) = reader?;
    let projects = read::projects(&s.db, &access).await?;
    Ok(Json(
        projects
            .into_iter()
            .map(|p| {
                json!({
                    "id": p.id, "name": p.slug, "description": p.name, "dvcs_type": "git", "url": null,
                    "branch": null, "codebase": "", "active_status": if p.archived { "onhold" } else { "active" },
                    "repository_group": {"name": "assay", "description": ""},
                })
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_collection_hashes_are_treeherders() {
        // sha1("debug"), as Treeherder's OptionCollection.calculate_hash.
        assert_eq!(option_collection_hash(&["debug".into()]), "32faaecac742100f7753f0c1d0aa0add01b4046b");
        assert_eq!(
            option_collection_hash(&["opt".into(), "asan".into()]),
            option_collection_hash(&["asan".into(), "opt".into()])
        );
    }

    #[test]
    fn hosts_and_ports_as_signed() {
        let mut h = HeaderMap::new();
        h.insert("host", "assay.example:3000".parse().unwrap());
        assert_eq!(host_and_port(&h, false), ("assay.example".into(), 3000));
        h.insert("host", "assay.example".parse().unwrap());
        assert_eq!(host_and_port(&h, false), ("assay.example".into(), 80));
        h.insert("x-forwarded-host", "ci.example".parse().unwrap());
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        assert_eq!(host_and_port(&h, true), ("ci.example".into(), 443));
        assert_eq!(host_and_port(&h, false), ("assay.example".into(), 80), "forwarded headers only when trusted");
        h.insert("host", "[::1]:8080".parse().unwrap());
        assert_eq!(host_and_port(&h, false), ("[::1]".into(), 8080));
    }

    #[test]
    fn job_info_is_made_safe() {
        let blob = json!({"job_details": [
            {"content_type": "raw_html", "title": "x", "value": "<b onclick=\"evil()\">ok</b><script>alert(1)</script><a href=\"javascript:alert(1)\">l</a>"},
            {"content_type": "link", "title": "log", "value": "raw", "url": "javascript:alert(1)"},
            {"content_type": "link", "title": "log", "value": "raw", "url": "https://ci.example/log"},
            {"content_type": "text", "title": "CPU", "value": 42},
        ]});
        let d = job_info(&blob, "t").unwrap();
        let html = d[0].value.as_deref().unwrap();
        assert!(html.contains("<b>ok</b>") && !html.contains("script") && !html.contains("onclick"), "{html}");
        assert!(!html.contains("javascript"), "{html}");
        assert_eq!((d[1].content_type.as_str(), d[1].url.as_deref()), ("text", None));
        assert_eq!(d[2].url.as_deref(), Some("https://ci.example/log"));
        assert_eq!(d[3].value.as_deref(), Some("42"));
        assert!(job_info(&json!({"job_details": [{"content_type": "blink"}]}), "t").is_err());
        assert!(job_info(&json!({}), "t").is_err());
    }
}
