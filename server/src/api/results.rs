//! Test results of a job: upload and read.

use super::extract::ApiQuery;
use crate::db::ingest::Target;
use crate::error::{ApiError, ApiResult};
use crate::ingest::{self, spool};
use crate::service::access::Access;
use crate::service::{read, write};
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use futures_util::StreamExt;
use serde::Deserialize;
use shared::Counts;
use shared::model::{ErrorBody, IngestSummary, Page, TestPage, TestResultQuery, TestResultRow};
use shared::report::FormatChoice;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    /// `auto` (detect from the root element, the default), `junit`, `trx`,
    /// `nunit` or `xunit`.
    pub format: Option<String>,
    /// File name for a raw (non-multipart) body.
    pub filename: Option<String>,
}

/// Uploads one or more report files to a job.
///
/// Send files as `multipart/form-data` fields (any field name), or one
/// file as the raw body (`Content-Type: application/xml`, name it with
/// `?filename=`). A file already stored for this job (same SHA-256) is not
/// stored again; its figures are returned with `duplicate: true`. If any
/// file cannot be parsed, nothing from the request is stored and the
/// answer names the file, line and column.
#[utoipa::path(post, path = "/api/v1/projects/{project}/runs/{run}/jobs/{job}/test-results", tag = "test results",
    params(("project" = String, Path, description = "project slug"),
           ("run" = String, Path, description = "run name or id"),
           ("job" = String, Path, description = "job key or id"), UploadQuery),
    request_body(content_type = "multipart/form-data", description = "report files"),
    security(("token" = [])),
    responses(
        (status = 200, body = IngestSummary),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the project is archived", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, description = "a file is not a readable report", body = ErrorBody)))]
pub async fn upload(
    State(s): State<AppState>,
    Path((project, run, job)): Path<(String, String, String)>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    request: Request,
) -> ApiResult<Json<IngestSummary>> {
    let headers = request.headers().clone();
    let access = Access::for_write(&s.db, &headers, None).await?;
    let project = write::writable(&s.db, &access, &project).await?;
    let format: FormatChoice = q
        .format
        .as_deref()
        .unwrap_or("auto")
        .parse()
        .map_err(|e: shared::status::UnknownValue| ApiError::BadRequest(e.to_string()))?;
    let run = read::run_row(&s.db, &project, &run).await?;
    let job = read::job_row(&s.db, &run, &job).await?;
    let target = Target { project_id: project.id, run_id: run.id, job_id: job.id };

    let limit = s.config.max_body_bytes;
    let mut budget = limit;
    let dir = s.config.tmp_dir.clone();
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let mut files = Vec::new();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, &s)
            .await
            .map_err(|e| ApiError::BadRequest(format!("invalid multipart body: {}", e.body_text())))?;
        let mut n = 0;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) => return Err(multipart_error(e, limit)),
            };
            n += 1;
            let filename = field
                .file_name()
                .map(str::to_owned)
                .filter(|f| !f.trim().is_empty())
                .unwrap_or_else(|| format!("{}-{n}.xml", field.name().unwrap_or("upload")));
            let body = field.map(|chunk| chunk.map_err(|e| multipart_error(e, limit)));
            files.push(spool::spool(filename, body, &dir, &mut budget, limit).await?);
        }
    } else if content_type.is_empty()
        || content_type.contains("xml")
        || content_type.starts_with("application/octet-stream")
        || content_type.starts_with("text/plain")
    {
        let filename = q.filename.clone().unwrap_or_else(|| "report.xml".into());
        let body = request
            .into_body()
            .into_data_stream()
            .map(|chunk| chunk.map_err(|e| ApiError::BadRequest(format!("could not read the request body: {e}"))));
        files.push(spool::spool(filename, body, &dir, &mut budget, limit).await?);
    } else {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send report files as multipart/form-data (or one file as application/xml), not {content_type}"
        )));
    }
    // A large upload takes a while to arrive: the project may have been
    // archived, or the caller's role taken away, in the meantime.
    let access = Access::for_write(&s.db, &headers, None).await?;
    write::writable(&s.db, &access, &project.slug).await?;
    let label = format!("{} / {}", run.name, job.key);
    Ok(Json(ingest::ingest(&s.db, &access.actor(), target, &label, files, format).await?))
}

fn multipart_error(e: axum::extract::multipart::MultipartError, limit: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge { limit }
    } else {
        ApiError::BadRequest(format!("invalid multipart body: {}", e.body_text()))
    }
}

/// A job's test results: failed first by default, filtered and paginated.
#[utoipa::path(get, path = "/api/v1/projects/{project}/runs/{run}/jobs/{job}/test-results", tag = "test results",
    params(("project" = String, Path, description = "project slug"),
           ("run" = String, Path, description = "run name or id"),
           ("job" = String, Path, description = "job key or id"), TestResultQuery),
    responses((status = 200, body = Page<TestResultRow>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((project, run, job)): Path<(String, String, String)>,
    ApiQuery(q): ApiQuery<TestResultQuery>,
) -> ApiResult<Json<Page<TestResultRow>>> {
    let access = Access::of(&s.db, &headers).await?;
    Ok(Json(read::test_results(&s.db, &access, &project, &run, &job, &q).await?))
}

/// A job's counts, as stored at ingest.
#[utoipa::path(get, path = "/api/v1/projects/{project}/runs/{run}/jobs/{job}/test-results/summary", tag = "test results",
    params(("project" = String, Path, description = "project slug"),
           ("run" = String, Path, description = "run name or id"),
           ("job" = String, Path, description = "job key or id")),
    responses((status = 200, body = Counts), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn summary(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((project, run, job)): Path<(String, String, String)>,
) -> ApiResult<Json<Counts>> {
    let access = Access::of(&s.db, &headers).await?;
    Ok(Json(read::job_counts(&s.db, &access, &project, &run, &job).await?))
}

/// One test result with its failure, output and history on the branch.
#[utoipa::path(get, path = "/api/v1/projects/{project}/runs/{run}/jobs/{job}/test-results/{id}", tag = "test results",
    params(("project" = String, Path, description = "project slug"),
           ("run" = String, Path, description = "run name or id"),
           ("job" = String, Path, description = "job key or id"),
           ("id" = i64, Path, description = "test result id")),
    responses((status = 200, body = TestPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((project, run, job, id)): Path<(String, String, String, String)>,
) -> ApiResult<Json<TestPage>> {
    let id: i64 =
        id.parse().map_err(|_| ApiError::BadRequest(format!("test result id must be a number, got '{id}'")))?;
    let access = Access::of(&s.db, &headers).await?;
    Ok(Json(read::test_page(&s.db, &access, &project, &run, &job, id).await?))
}
