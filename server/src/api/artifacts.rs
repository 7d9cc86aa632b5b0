//! Artifacts: upload to a job, list, read metadata, download (ranges,
//! ETags), read a text artifact a page of lines at a time, search it,
//! delete it.
//!
//! Downloads can never run script on Assay's origin: anything a browser
//! could render as a document (HTML, SVG, XML, JavaScript, PDF, anything
//! unknown) is sent as an attachment, every answer carries
//! `X-Content-Type-Options: nosniff` and a sandboxing
//! `Content-Security-Policy`, and only plain text and raster images are
//! shown inline.

use super::extract::{ApiPath, ApiQuery, Reader, Writer};
use super::paths::{ArtifactPath, JobPath};
use crate::error::ApiResult;
use crate::ingest::artifacts::{Artifacts, OPTION_FIELDS};
use crate::ingest::body::{self, Door};
use crate::ingest::{self};
use crate::service::{artifacts as service, write};
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::model::{Artifact, ArtifactLines, ArtifactSearch, ArtifactUploadSummary, ErrorBody, UploadedArtifact};

/// How artifact uploads arrive.
pub const ARTIFACTS: Door = Door {
    option_fields: OPTION_FIELDS,
    accepts_raw: body::any_but_form,
    raw_hint: "send artifacts as multipart/form-data file fields, or one file as the raw body",
    default_name: "artifact",
};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ArtifactUploadQuery {
    /// File name for a raw (non-multipart) body.
    pub filename: Option<String>,
}

/// Uploads artifacts to a job: any number of `multipart/form-data` file
/// fields, or one file as the raw body (named with `?filename=`).
///
/// Options: the field `meta`, a JSON object keyed by file name, gives each
/// file a `content_type`, `tests` (test results of the job to link it to,
/// by name, `class.name` or `suite::class::name`) and `expires_at`
/// (RFC 3339). The fields `test` (repeatable), `expires_at` and
/// `expires_in` (`30d`, `12h`…) apply to every file. The same content
/// uploaded to the same job again is stored once and answered with
/// `duplicate: true`. Bad input stores nothing and names the file.
#[utoipa::path(post, path = "/projects/{project}/runs/{run}/jobs/{job}/artifacts", tag = "artifacts",
    params(JobPath, ArtifactUploadQuery),
    request_body(content_type = "multipart/form-data", description = "files, and the option fields"),
    security(("token" = [])),
    responses(
        (status = 200, body = ArtifactUploadSummary),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the project is archived", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn upload(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<JobPath>,
    ApiQuery(q): ApiQuery<ArtifactUploadQuery>,
    request: Request,
) -> ApiResult<Json<ArtifactUploadSummary>> {
    let (project, place) =
        write::upload_place(&s.db, &access, &path.project, (&path.run).into(), (&path.job).into()).await?;
    let headers = request.headers().clone();
    let received = body::receive(request, &s.config, &ARTIFACTS, q.filename.as_deref()).await?;
    let access = write::recheck_writer(&s.db, &headers, &project.slug).await?;
    let kind = Artifacts::from_fields(&s.db, &s.blobs, &project.slug, &received)?;
    let out = ingest::ingest(&s.db, &access.actor(), &place, received.files, &kind).await?;
    let files = out
        .into_iter()
        .map(|o| UploadedArtifact {
            upload_id: o.upload_id,
            filename: o.filename,
            duplicate: o.duplicate,
            artifact: o.answer,
        })
        .collect();
    Ok(Json(ArtifactUploadSummary { files }))
}

/// A job's artifacts, oldest first.
#[utoipa::path(get, path = "/projects/{project}/runs/{run}/jobs/{job}/artifacts", tag = "artifacts", params(JobPath),
    responses((status = 200, body = Vec<Artifact>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<JobPath>,
) -> ApiResult<Json<Vec<Artifact>>> {
    Ok(Json(service::list(&s.db, &access, &path.project, &path.run, &path.job).await?))
}

/// One artifact's metadata.
#[utoipa::path(get, path = "/artifacts/{id}", tag = "artifacts", params(ArtifactPath),
    responses((status = 200, body = Artifact), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ArtifactPath>,
) -> ApiResult<Json<Artifact>> {
    Ok(Json(service::get(&s.db, &access, path.id).await?))
}

/// Deletes an artifact (project admins). Its content leaves the object
/// store at the next pruning, once nothing else refers to it.
#[utoipa::path(delete, path = "/artifacts/{id}", tag = "artifacts", params(ArtifactPath),
    security(("token" = [])),
    responses((status = 204, description = "deleted"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(s): State<AppState>,
    Writer(access): Writer,
    ApiPath(path): ApiPath<ArtifactPath>,
) -> ApiResult<StatusCode> {
    service::delete(&s.db, &access, path.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct DownloadQuery {
    /// Always as an attachment, even for text and images.
    pub download: Option<bool>,
}

/// Downloads an artifact: streamed, with `Content-Length`, an `ETag`
/// (`If-None-Match` answers 304) and single byte ranges (`Range`, 206).
#[utoipa::path(get, path = "/artifacts/{id}/download", tag = "artifacts", params(ArtifactPath, DownloadQuery),
    responses(
        (status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 206, description = "the requested range"), (status = 304, description = "not modified"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 416, description = "the range is outside the file", body = ErrorBody)))]
pub async fn download(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ArtifactPath>,
    ApiQuery(q): ApiQuery<DownloadQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let text = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok());
    let d =
        service::download(&s.db, &s.blobs, &access, path.id, text(header::RANGE), text(header::IF_NONE_MATCH)).await?;
    let mut res = match d.body {
        None => StatusCode::NOT_MODIFIED.into_response(),
        Some(read) => {
            let status = if d.partial { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK };
            let len = read.range.end - read.range.start;
            let mut res = (status, Body::from_stream(read.stream)).into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            if d.partial {
                let range = format!("bytes {}-{}/{}", read.range.start, read.range.end.saturating_sub(1), read.size);
                h.insert(header::CONTENT_RANGE, value(&range));
            }
            res
        }
    };
    let (content_type, inline) = presentation(&d.row.content_type, d.row.is_text);
    let inline = inline && q.download != Some(true);
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, value(&content_type));
    h.insert(header::CONTENT_DISPOSITION, value(&disposition(&d.row.name, inline)));
    h.insert(header::ETAG, value(&service::etag(&d.row.sha256)));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(SANDBOX));
    Ok(res)
}

/// Whatever a downloaded file is, it runs nothing, loads nothing and
/// reaches nothing on this origin.
pub const SANDBOX: &str =
    "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'";

fn value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

/// The `Content-Type` to send and whether the file may be shown inline:
/// plain text (as UTF-8 text, whatever it was called) and raster images
/// only; everything else is an attachment.
pub fn presentation(stored: &str, is_text: bool) -> (String, bool) {
    let essence = stored.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    const INLINE_IMAGES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"];
    if INLINE_IMAGES.contains(&essence.as_str()) {
        return (essence, true);
    }
    if is_text && matches!(essence.as_str(), "text/plain" | "text/x-log" | "text/csv" | "application/json") {
        return ("text/plain; charset=utf-8".into(), true);
    }
    let valid = essence.parse::<mime::Mime>().is_ok() && !essence.contains(['\r', '\n']);
    (if valid { essence } else { "application/octet-stream".into() }, false)
}

/// `Content-Disposition` with the name as an ASCII fallback and in full
/// (RFC 6266 / RFC 8187): quotes, backslashes, control and non-ASCII
/// characters never reach the header raw.
pub fn disposition(name: &str, inline: bool) -> String {
    let fallback: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let encoded = percent_encoding::utf8_percent_encode(name, FILENAME).to_string();
    format!("{}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}", if inline { "inline" } else { "attachment" })
}

/// Characters kept as they are in `filename*` (RFC 8187 attr-char).
const FILENAME: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct LinesQuery {
    /// The first line (1-based; default 1).
    pub from: Option<i64>,
    /// How many lines (default 500, at most 2000).
    pub count: Option<i64>,
}

/// A page of a text artifact's lines, read with one range read from the
/// nearest line checkpoint stored at upload.
#[utoipa::path(get, path = "/artifacts/{id}/lines", tag = "artifacts", params(ArtifactPath, LinesQuery),
    responses((status = 200, body = ArtifactLines), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the artifact is not text", body = ErrorBody)))]
pub async fn lines(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ArtifactPath>,
    ApiQuery(q): ApiQuery<LinesQuery>,
) -> ApiResult<Json<ArtifactLines>> {
    let page = service::lines(&s.db, &s.blobs, &access, path.id, q.from.unwrap_or(1), q.count.unwrap_or(500)).await?;
    Ok(Json(page))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// What to look for (case-insensitive).
    pub q: String,
    /// Search from this line on (default 1).
    pub from: Option<i64>,
}

/// Lines of a text artifact that contain `q`; a long file is searched in
/// steps (`next_from` says where to go on).
#[utoipa::path(get, path = "/artifacts/{id}/search", tag = "artifacts", params(ArtifactPath, SearchQuery),
    responses((status = 200, body = ArtifactSearch), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the artifact is not text", body = ErrorBody)))]
pub async fn search(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ArtifactPath>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<ArtifactSearch>> {
    Ok(Json(service::search(&s.db, &s.blobs, &access, path.id, &q.q, q.from.unwrap_or(1)).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_text_and_raster_images_are_inline() {
        assert_eq!(presentation("image/png", false), ("image/png".into(), true));
        assert_eq!(presentation("text/plain", true), ("text/plain; charset=utf-8".into(), true));
        assert_eq!(presentation("text/html", true), ("text/html".into(), false));
        assert_eq!(presentation("image/svg+xml", true), ("image/svg+xml".into(), false));
        assert!(!presentation("application/javascript", true).1);
        assert!(!presentation("application/xml", true).1);
        assert!(!presentation("text/plain", false).1, "binary called text");
        assert_eq!(presentation("nonsense", false), ("application/octet-stream".into(), false));
    }

    #[test]
    fn file_names_are_encoded_safely() {
        assert_eq!(disposition("a b.log", true), "inline; filename=\"a b.log\"; filename*=UTF-8''a%20b.log");
        let d = disposition("\"x\";\r\nSet-Cookie: y=1 é.html", false);
        assert!(d.starts_with("attachment; filename=\"_x_;__Set-Cookie: y=1 _.html\""), "{d}");
        assert!(!d.contains('\r') && !d.contains('\n'));
        assert!(d.ends_with("%22x%22%3B%0D%0ASet-Cookie%3A%20y%3D1%20%C3%A9.html"), "{d}");
    }
}
