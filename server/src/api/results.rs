//! Test results of a job: upload and read.

use super::extract::{ApiPath, ApiQuery, Reader, Writer};
use super::paths::{JobPath, TestResultPath};
use crate::error::{ApiError, ApiResult};
use crate::ingest::body::{self, Door};
use crate::ingest::{self, test_reports::TestReports};
use crate::service::{read, write};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Request, State};
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

/// How report uploads arrive.
pub const REPORTS: Door = Door {
    option_fields: &[],
    accepts_raw: body::xml_or_bytes,
    raw_hint: "send report files as multipart/form-data (or one file as application/xml)",
    default_name: "report.xml",
};

/// Uploads one or more report files to a job.
///
/// Send files as `multipart/form-data` fields (any field name), or one
/// file as the raw body (`Content-Type: application/xml`, name it with
/// `?filename=`). A file already stored for this job (same SHA-256) is not
/// stored again; its figures are returned with `duplicate: true`. If any
/// file cannot be parsed, nothing from the request is stored and the
/// answer names the file, line and column.
#[utoipa::path(post, path = "/projects/{project}/runs/{run}/jobs/{job}/test-results", tag = "test results",
    params(JobPath, UploadQuery),
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
    Writer(access): Writer,
    ApiPath(path): ApiPath<JobPath>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    request: Request,
) -> ApiResult<Json<IngestSummary>> {
    let format: FormatChoice = q
        .format
        .as_deref()
        .unwrap_or("auto")
        .parse()
        .map_err(|e: shared::status::UnknownValue| ApiError::BadRequest(e.to_string()))?;
    let (project, place) =
        write::upload_place(&s.db, &access, &path.project, (&path.run).into(), (&path.job).into()).await?;
    let headers = request.headers().clone();
    let received = body::receive(request, &s.config, &REPORTS, q.filename.as_deref()).await?;
    let access = write::recheck_writer(&s.db, &headers, &project.slug).await?;
    let out = ingest::ingest(&s.db, &access.actor(), &place, received.files, &TestReports { format }).await?;
    Ok(Json(IngestSummary::from_files(out.into_iter().map(|o| o.answer_as_duplicate()).collect())))
}

impl ingest::Outcome<shared::model::IngestedFile> {
    /// The file's figures, as this request saw it.
    fn answer_as_duplicate(self) -> shared::model::IngestedFile {
        shared::model::IngestedFile { filename: self.filename, duplicate: self.duplicate, ..self.answer }
    }
}

/// A job's test results: failed first by default, filtered and paginated.
#[utoipa::path(get, path = "/projects/{project}/runs/{run}/jobs/{job}/test-results", tag = "test results",
    params(JobPath, TestResultQuery),
    responses((status = 200, body = Page<TestResultRow>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<JobPath>,
    ApiQuery(q): ApiQuery<TestResultQuery>,
) -> ApiResult<Json<Page<TestResultRow>>> {
    Ok(Json(read::test_results(&s.db, &access, &path.project, &path.run, &path.job, &q).await?))
}

/// A job's counts, as stored at ingest.
#[utoipa::path(get, path = "/projects/{project}/runs/{run}/jobs/{job}/test-results/summary", tag = "test results",
    params(JobPath),
    responses((status = 200, body = Counts), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn summary(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<JobPath>,
) -> ApiResult<Json<Counts>> {
    Ok(Json(read::job_counts(&s.db, &access, &path.project, &path.run, &path.job).await?))
}

/// One test result with its failure, output, artifacts and history on the
/// branch.
#[utoipa::path(get, path = "/projects/{project}/runs/{run}/jobs/{job}/test-results/{id}", tag = "test results",
    params(TestResultPath),
    responses((status = 200, body = TestPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<TestResultPath>,
) -> ApiResult<Json<TestPage>> {
    Ok(Json(read::test_page(&s.db, &access, &path.project, &path.run, &path.job, path.id).await?))
}
