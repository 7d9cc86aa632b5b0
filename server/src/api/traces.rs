//! Rendering traces: upload, a job's results, a trace's history, accepted
//! references, ignore regions and the traces YAML export.

use super::extract::{ApiJson, ApiPath, ApiQuery, Reader, Writer};
use super::paths::{JobPath, ProjectPath, TracePath, TraceResultPath};
use crate::error::{ApiError, ApiResult};
use crate::ingest::body::{self, Door};
use crate::ingest::traces::{ImageLimits, Traces};
use crate::ingest::{self};
use crate::service::traces::{self as service, Filter};
use crate::service::write;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::model::ErrorBody;
use shared::pixeldiff::Region;
use shared::traces::TraceStatus;
use shared::traces::model::{
    AcceptReferences, IgnoreRegions, JobTraces, TraceDetail, TraceIngestSummary, TraceIngestedFile, TraceResultView,
};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct TraceUploadQuery {
    /// The device the traces ran on, for results that do not say (piglit
    /// names it by the directory its images are written to).
    pub device: Option<String>,
}

/// How trace uploads arrive: several files (results, images, YAML), so
/// multipart only.
pub const TRACES: Door = Door {
    option_fields: &[],
    accepts_raw: body::any_but_form,
    raw_hint: "send trace results with their images as multipart/form-data file fields (or one results file as the body)",
    default_name: "traces.txt",
};

/// Uploads rendering-trace results to a job.
///
/// Send as `multipart/form-data` file fields: results files (piglit
/// replayer output with its `PIGLIT: {…}` lines, or Assay's trace JSON),
/// the PNG images they name (named by their paths, e.g.
/// `results/trace/<device>/<trace>-0-<checksum>.png`, or their base
/// names) and optionally traces YAML files (expected checksums,
/// skip/unsupported labels). Each image is decoded and checked (at most
/// 16384 pixels a side and 256 MiB decoded by default), stored once by
/// content, and its pixel checksum kept. A trace is held to the
/// reference accepted in Assay, else to the checksum the upload expected.
/// Mismatches and failed replays turn the job red. If any file is bad,
/// nothing is stored and the answer names it.
#[utoipa::path(post, path = "/projects/{project}/runs/{run}/jobs/{job}/traces", tag = "traces",
    params(JobPath, TraceUploadQuery),
    request_body(content_type = "multipart/form-data", description = "results files, images, traces YAML"),
    security(("token" = [])),
    responses(
        (status = 200, body = TraceIngestSummary),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the project is archived", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, description = "a file is not readable trace results, YAML or PNG", body = ErrorBody)))]
pub async fn upload(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<JobPath>,
    ApiQuery(q): ApiQuery<TraceUploadQuery>,
    request: Request,
) -> ApiResult<Json<TraceIngestSummary>> {
    let device = q.device.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    let (project, place) =
        write::upload_place(&s.db, &access, &path.project, (&path.run).into(), (&path.job).into()).await?;
    let headers = request.headers().clone();
    let received = body::receive(request, &s.config, &TRACES, None).await?;
    let access = write::recheck_writer(&s.db, &headers, &project.slug).await?;
    let limits = ImageLimits { max_side: s.config.image_max_side, max_decoded_bytes: s.config.image_max_decoded_bytes };
    let (kind, results) = Traces::split(&s.db, &s.blobs, device, limits, received.files).await?;
    let out = ingest::ingest(&s.db, &access.actor(), &place, results, &kind).await?;
    let files: Vec<TraceIngestedFile> = out
        .into_iter()
        .map(|o| TraceIngestedFile { filename: o.filename, duplicate: o.duplicate, ..o.answer })
        .collect();
    Ok(Json(TraceIngestSummary {
        traces: files.iter().map(|f| f.traces).sum(),
        failed: files.iter().map(|f| f.failed).sum(),
        images: files.iter().map(|f| f.images).sum(),
        files,
    }))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct JobTracesQuery {
    /// Only this device.
    pub device: Option<String>,
    /// Only this status: mismatch, failed, missing_reference, new, match,
    /// skipped, unsupported.
    pub status: Option<String>,
}

/// Lists a job's trace results with their statuses, checksums and image
/// hashes, mismatches first; `counts` covers the whole job.
#[utoipa::path(get, path = "/projects/{project}/runs/{run}/jobs/{job}/traces", tag = "traces",
    params(JobPath, JobTracesQuery),
    responses((status = 200, body = JobTraces), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<JobPath>,
    ApiQuery(q): ApiQuery<JobTracesQuery>,
) -> ApiResult<Json<JobTraces>> {
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::parse::<TraceStatus>)
        .transpose()
        .map_err(|e| ApiError::BadRequest(format!("status: {e}")))?;
    let filter = Filter { device: q.device.filter(|d| !d.is_empty()), status };
    Ok(Json(service::job_traces(&s.db, &access, &path.project, &path.run, &path.job, &filter).await?))
}

/// A trace on a device: its reference, ignore regions, results across
/// runs (newest first) and the references accepted.
#[utoipa::path(get, path = "/projects/{project}/traces/{id}", tag = "traces", params(TracePath),
    responses((status = 200, body = TraceDetail), (status = 404, body = ErrorBody)))]
pub async fn detail(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<TracePath>,
) -> ApiResult<Json<TraceDetail>> {
    Ok(Json(service::detail(&s.db, &access, &path.project, path.id).await?))
}

/// One trace result.
#[utoipa::path(get, path = "/projects/{project}/trace-results/{id}", tag = "traces", params(TraceResultPath),
    responses((status = 200, body = TraceResultView), (status = 404, body = ErrorBody)))]
pub async fn result(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<TraceResultPath>,
) -> ApiResult<Json<TraceResultView>> {
    Ok(Json(service::result(&s.db, &access, &path.project, path.id).await?))
}

/// Accepts these results' renderings as the references of their traces
/// (members and up): from then on each is the expected image, recorded
/// with who and when and the note; the results themselves now match.
/// All or none.
#[utoipa::path(post, path = "/projects/{project}/traces/accept", tag = "traces", params(ProjectPath),
    request_body = AcceptReferences, security(("token" = [])),
    responses((status = 200, body = Vec<TraceResultView>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn accept(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiJson(req): ApiJson<AcceptReferences>,
) -> ApiResult<Json<Vec<TraceResultView>>> {
    Ok(Json(service::accept(&s.db, &access, &path.project, &req).await?))
}

/// Replaces a trace's ignore regions (members and up): rectangles left
/// out of every comparison of it, in image pixels.
#[utoipa::path(put, path = "/projects/{project}/traces/{id}/ignore-regions", tag = "traces", params(TracePath),
    request_body = IgnoreRegions, security(("token" = [])),
    responses((status = 200, body = IgnoreRegions), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_ignore_regions(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<TracePath>,
    ApiJson(req): ApiJson<IgnoreRegions>,
) -> ApiResult<Json<IgnoreRegions>> {
    let regions: Vec<Region> =
        service::set_ignore_regions(&s.db, &access, &path.project, path.id, &req.regions).await?;
    Ok(Json(IgnoreRegions { regions }))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// Only this device.
    pub device: Option<String>,
}

/// The project's traces YAML, with the references accepted in Assay:
/// ready to commit where the CI reads it.
#[utoipa::path(get, path = "/projects/{project}/traces.yml", tag = "traces", params(ProjectPath, ExportQuery),
    responses((status = 200, description = "the traces YAML", content_type = "application/yaml"), (status = 404, body = ErrorBody)))]
pub async fn export(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let device = q.device.filter(|d| !d.is_empty());
    let text = service::export_yaml(&s.db, &access, &path.project, device.as_deref()).await?;
    let name = match &device {
        Some(d) => format!("traces-{}.yml", d.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")),
        None => "traces.yml".to_owned(),
    };
    let mut res = text.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/yaml; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
