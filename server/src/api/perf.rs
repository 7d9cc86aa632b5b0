//! Performance results: upload, job comparison, series and their points.

use super::extract::{ApiJson, ApiPath, ApiQuery, Reader, Writer};
use super::paths::{AlertPath, AnnotationPath, JobPath, ProjectPath, RegressionPath, SeriesPath};
use crate::error::{ApiError, ApiResult};
use crate::ingest::body::{self, Door};
use crate::ingest::{self, perf::PerfResults};
use crate::service::{alerts, perf, sensitivity, write};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::model::ErrorBody;
use shared::perf::alerts::{
    Alert, AlertList, AlertStatus, Annotation, NewAnnotation, ProjectSensitivity, Sensitivity, SeriesOverride,
    SeriesSensitivity, TriageAlert,
};
use shared::perf::compare::{Comparison, View, ViewParams};
use shared::perf::regressions::Regression;
use shared::perf::{PerfFormatChoice, PerfIngestSummary, SeriesPoints, SeriesSummary};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PerfUploadQuery {
    /// `auto` (detect from the content, the default), `assay`,
    /// `perftracker`, `perfherder`, `google-benchmark`, `pytest-benchmark`,
    /// `criterion`, `cargo-criterion`, `hyperfine`, `jmh` or `bmf`.
    pub format: Option<String>,
    /// File name for a raw (non-multipart) body. Criterion's
    /// `estimates.json` takes its benchmark's name from its path
    /// (`fib/new/estimates.json`).
    pub filename: Option<String>,
}

/// How perf uploads arrive.
pub const PERF: Door = Door {
    option_fields: &[],
    accepts_raw: body::any_but_form,
    raw_hint: "send perf files as multipart/form-data (or one file as the body, e.g. application/json)",
    default_name: "perf.json",
};

/// Uploads performance results to a job.
///
/// Send files as `multipart/form-data` fields (any field name), or one
/// file as the raw body (`Content-Type: application/json`; name it with
/// `?filename=`). Each test's metrics become points of their series (the
/// same test, metric, platform, machine and labels across runs). A file
/// already stored for this job is not stored again (`duplicate: true`).
/// If any file cannot be read, nothing from the request is stored and the
/// answer names the file and the place in it.
#[utoipa::path(post, path = "/projects/{project}/runs/{run}/jobs/{job}/perf-results", tag = "performance",
    params(JobPath, PerfUploadQuery),
    request_body(content_type = "multipart/form-data", description = "perf result files"),
    security(("token" = [])),
    responses(
        (status = 200, body = PerfIngestSummary),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the project is archived", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, description = "a file is not a readable perf report", body = ErrorBody)))]
pub async fn upload(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<JobPath>,
    ApiQuery(q): ApiQuery<PerfUploadQuery>,
    request: Request,
) -> ApiResult<Json<PerfIngestSummary>> {
    let format: PerfFormatChoice = q
        .format
        .as_deref()
        .unwrap_or("auto")
        .parse()
        .map_err(|e: shared::status::UnknownValue| ApiError::BadRequest(format!("format: {e}")))?;
    let (project, place) =
        write::upload_place(&s.db, &access, &path.project, (&path.run).into(), (&path.job).into()).await?;
    let headers = request.headers().clone();
    let received = body::receive(request, &s.config, &PERF, q.filename.as_deref()).await?;
    let access = write::recheck_writer(&s.db, &headers, &project.slug).await?;
    let out = ingest::ingest(&s.db, &access.actor(), &place, received.files, &PerfResults { format }).await?;
    let files: Vec<_> = out
        .into_iter()
        .map(|o| shared::perf::PerfIngestedFile { filename: o.filename, duplicate: o.duplicate, ..o.answer })
        .collect();
    Ok(Json(PerfIngestSummary {
        tests: files.iter().map(|f| f.tests).sum(),
        metrics: files.iter().map(|f| f.metrics).sum(),
        failed: files.iter().map(|f| f.failed).sum(),
        files,
    }))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct CompareQuery {
    /// Job ids, separated by commas; the first is the baseline.
    pub jobs: String,
    /// `all` (the default), `changed`, `regressions` or `improvements`.
    pub only: Option<String>,
    /// Only this group.
    pub group: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only tests or metrics whose name holds this (any case).
    pub name: Option<String>,
    /// `name` (the default), `change`, `verdict`, or `value0`, `value1`, …
    pub sort: Option<String>,
    /// `true` to reverse the order.
    pub desc: Option<bool>,
    /// `json` (the default) or `csv`.
    pub format: Option<String>,
}

impl CompareQuery {
    pub fn view(&self) -> ApiResult<View> {
        let params = ViewParams {
            only: self.only.clone(),
            group: self.group.clone(),
            category: self.category.clone(),
            name: self.name.clone(),
            sort: self.sort.clone(),
            desc: self.desc,
        };
        params.view().map_err(ApiError::BadRequest)
    }
}

/// Compares two or more jobs' performance results.
///
/// One row per test and metric, one cell per job: the value, the 95%
/// interval of its samples, the change against the first job in %, and
/// whether it is significant (Welch's t-test when both sides look normal
/// by Shapiro–Wilk, else Mann–Whitney U; each side needs 3 samples),
/// judged by the metric's direction. `format=csv` gives the same rows as
/// CSV, one line per row and job.
#[utoipa::path(get, path = "/compare", tag = "performance",
    params(CompareQuery),
    responses((status = 200, body = Comparison), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn compare(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiQuery(q): ApiQuery<CompareQuery>,
) -> ApiResult<Response> {
    let ids = perf::parse_job_ids(&q.jobs)?;
    let view = q.view()?;
    let csv = match q.format.as_deref().unwrap_or("json") {
        "json" => false,
        "csv" => true,
        other => return Err(ApiError::BadRequest(format!("format: '{other}' is not json or csv"))),
    };
    let c = perf::compare(&s.db, &access, &ids, &view).await?;
    if csv {
        let name = format!("attachment; filename=\"compare-{}.csv\"", q.jobs.replace(',', "-"));
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, name)],
            shared::perf::compare::to_csv(&c),
        )
            .into_response());
    }
    // Megabytes of JSON for a large comparison: written off the async
    // workers, into a buffer sized for it.
    let body = tokio::task::spawn_blocking(move || {
        let mut out = Vec::with_capacity(1024 + c.rows.len() * (160 + 300 * c.jobs.len()));
        serde_json::to_writer(&mut out, &c).map(|_| out)
    })
    .await
    .map_err(|e| ApiError::internal(format!("comparison answer task failed: {e}")))?
    .map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct SeriesQuery {
    /// Tests whose name holds this (any case).
    pub test: Option<String>,
    /// Metrics whose name holds this (any case).
    pub metric: Option<String>,
    /// Exactly this platform.
    pub platform: Option<String>,
}

/// A project's series (at most 1,000), by group, test and metric.
#[utoipa::path(get, path = "/projects/{project}/series", tag = "performance",
    params(ProjectPath, SeriesQuery),
    responses((status = 200, body = Vec<SeriesSummary>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn series(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiQuery(q): ApiQuery<SeriesQuery>,
) -> ApiResult<Json<Vec<SeriesSummary>>> {
    Ok(Json(
        perf::series(&s.db, &access, &path.project, q.test.as_deref(), q.metric.as_deref(), q.platform.as_deref())
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PointsQuery {
    /// Points uploaded at or after this time (RFC 3339).
    pub from: Option<String>,
    /// Points uploaded at or before this time (RFC 3339).
    pub to: Option<String>,
}

fn time(what: &str, v: Option<&str>) -> ApiResult<Option<chrono::DateTime<chrono::Utc>>> {
    v.filter(|s| !s.is_empty())
        .map(|s| {
            chrono::DateTime::parse_from_rfc3339(s).map(|t| t.to_utc()).map_err(|e| {
                ApiError::BadRequest(format!("{what}: '{s}' is not an RFC 3339 time (e.g. 2026-11-30T10:00:00Z): {e}"))
            })
        })
        .transpose()
}

/// A series' points, oldest first (at most 50,000).
#[utoipa::path(get, path = "/series/{id}/points", tag = "performance",
    params(SeriesPath, PointsQuery),
    responses((status = 200, body = SeriesPoints), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn points(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<SeriesPath>,
    ApiQuery(q): ApiQuery<PointsQuery>,
) -> ApiResult<Json<SeriesPoints>> {
    let from = time("from", q.from.as_deref())?;
    let to = time("to", q.to.as_deref())?;
    Ok(Json(perf::points(&s.db, &access, path.id, from, to).await?))
}

/// A project's regression tags (PerfTracker's regressions: the jobs
/// uploaded with the same `--pt-regression-tag`, or `regression` in Assay's
/// JSON), each with its jobs, oldest first.
#[utoipa::path(get, path = "/projects/{project}/regressions", tag = "performance",
    params(ProjectPath),
    responses((status = 200, body = Vec<Regression>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn regressions(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
) -> ApiResult<Json<Vec<Regression>>> {
    Ok(Json(perf::regressions(&s.db, &access, &path.project, None).await?))
}

/// One regression tag's jobs, oldest first.
#[utoipa::path(get, path = "/projects/{project}/regressions/{tag}", tag = "performance",
    params(RegressionPath),
    responses((status = 200, body = Regression), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn regression(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<RegressionPath>,
) -> ApiResult<Json<Regression>> {
    let found = perf::regressions(&s.db, &access, &path.project, Some(&path.tag)).await?;
    found
        .into_iter()
        .next()
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("regression tag '{}' in project '{}'", path.tag, path.project)))
}

/// A project's regression detection settings (its own or the defaults).
#[utoipa::path(get, path = "/projects/{project}/detection", tag = "performance",
    params(ProjectPath),
    responses((status = 200, body = ProjectSensitivity), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn detection(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
) -> ApiResult<Json<ProjectSensitivity>> {
    Ok(Json(sensitivity::project(&s.db, &access, &path.project).await?))
}

/// Sets a project's detection sensitivity (project admins): `alpha` (the
/// false-alarm rate per tested segment, in (0, 0.5]) and
/// `min_magnitude_pct`. Its series are analysed again.
#[utoipa::path(put, path = "/projects/{project}/detection", tag = "performance",
    params(ProjectPath),
    request_body = Sensitivity,
    security(("token" = [])),
    responses((status = 200, body = ProjectSensitivity), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_detection(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiJson(body): ApiJson<Sensitivity>,
) -> ApiResult<Json<ProjectSensitivity>> {
    Ok(Json(sensitivity::set_project(&s.db, &access, &path.project, &body).await?))
}

/// A series' own detection settings, and those that apply to it.
#[utoipa::path(get, path = "/series/{id}/detection", tag = "performance",
    params(SeriesPath),
    responses((status = 200, body = SeriesSensitivity), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn series_detection(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<SeriesPath>,
) -> ApiResult<Json<SeriesSensitivity>> {
    Ok(Json(sensitivity::series(&s.db, &access, path.id).await?))
}

/// Overrides a series' detection settings (members); `null` or a field
/// left out uses the project's. The series is analysed again.
#[utoipa::path(put, path = "/series/{id}/detection", tag = "performance",
    params(SeriesPath),
    request_body = SeriesOverride,
    security(("token" = [])),
    responses((status = 200, body = SeriesSensitivity), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_series_detection(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<SeriesPath>,
    ApiJson(body): ApiJson<SeriesOverride>,
) -> ApiResult<Json<SeriesSensitivity>> {
    Ok(Json(sensitivity::set_series(&s.db, &access, path.id, &body).await?))
}

/// A project's annotations (notes such as "new machine image" at a time,
/// shown on every graph of the project), by time.
#[utoipa::path(get, path = "/projects/{project}/annotations", tag = "performance",
    params(ProjectPath),
    responses((status = 200, body = Vec<Annotation>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn annotations(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
) -> ApiResult<Json<Vec<Annotation>>> {
    Ok(Json(alerts::annotations(&s.db, &access, &path.project).await?))
}

/// Adds an annotation (members): `{"text", "at"?}`, `at` (RFC 3339)
/// defaulting to now.
#[utoipa::path(post, path = "/projects/{project}/annotations", tag = "performance",
    params(ProjectPath),
    request_body = NewAnnotation,
    security(("token" = [])),
    responses((status = 201, body = Annotation), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn annotate(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiJson(new): ApiJson<NewAnnotation>,
) -> ApiResult<(axum::http::StatusCode, Json<Annotation>)> {
    Ok((axum::http::StatusCode::CREATED, Json(alerts::annotate(&s.db, &access, &path.project, &new).await?)))
}

/// Removes an annotation (members of its project).
#[utoipa::path(delete, path = "/annotations/{id}", tag = "performance",
    params(AnnotationPath),
    security(("token" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn remove_annotation(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<AnnotationPath>,
) -> ApiResult<axum::http::StatusCode> {
    alerts::remove_annotation(&s.db, &access, path.id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AlertsQuery {
    /// `untriaged`, `acknowledged`, `invalid`, `fixed`, `wont-fix`,
    /// `downstream` or `reassigned`.
    pub status: Option<String>,
    /// Only this series' alerts.
    pub series: Option<i64>,
    /// Only this summary's alerts (those found at one suspected run).
    pub summary: Option<i64>,
}

/// A project's regression alerts (the latest 500), each with its series,
/// test, metric, suspected run range (last good, first bad), magnitude,
/// direction, confidence and triage; and the detector's precision over
/// the alerts triaged so far.
#[utoipa::path(get, path = "/projects/{project}/alerts", tag = "performance",
    params(ProjectPath, AlertsQuery),
    responses((status = 200, body = AlertList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn alerts(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ProjectPath>,
    ApiQuery(q): ApiQuery<AlertsQuery>,
) -> ApiResult<Json<AlertList>> {
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::parse::<AlertStatus>)
        .transpose()
        .map_err(|e| ApiError::BadRequest(format!("status: {e}")))?;
    Ok(Json(alerts::list(&s.db, &access, &path.project, status, q.series, q.summary).await?))
}

/// Triages an alert (members of its project): a status and a note,
/// recorded with who did it and in the audit log.
#[utoipa::path(patch, path = "/alerts/{id}", tag = "performance",
    params(AlertPath),
    request_body = TriageAlert,
    security(("token" = [])),
    responses((status = 200, body = Alert), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn triage(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<AlertPath>,
    ApiJson(t): ApiJson<TriageAlert>,
) -> ApiResult<Json<Alert>> {
    Ok(Json(alerts::triage(&s.db, &access, path.id, &t).await?))
}
