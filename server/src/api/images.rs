//! `GET /image/{hash}`: trace images, as Tracie's `/image/` redirector
//! served them. Content-addressed, so cached for good (`immutable`); with
//! `--image-redirect-secs` and an object store that signs URLs, a redirect
//! to the store itself instead. `…/thumb` is a thumbnail of at most
//! [`THUMB_SIDE`] pixels a side, made on first request and kept as a blob.
//!
//! An image is readable by whoever can read a project that holds it.

use super::extract::{ApiPath, Reader};
use super::paths::ImagePath;
use crate::blobs::is_sha256;
use crate::db::{self, traces as rows};
use crate::error::{ApiError, ApiResult};
use crate::service::access::Access;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Largest side of a thumbnail.
pub const THUMB_SIDE: u32 = 256;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Whether the caller may read the image: some project they can read holds it.
async fn check(s: &AppState, access: &Access, hash: &str) -> ApiResult<rows::ImageRow> {
    let missing = || ApiError::not_found(format!("image {hash}"));
    if !is_sha256(hash) {
        return Err(ApiError::BadRequest(format!("'{hash}' is not a SHA-256 (64 lowercase hexadecimal digits)")));
    }
    let img = rows::image(&s.db, hash).await?.ok_or_else(missing)?;
    for project_id in rows::projects_holding(&s.db, hash).await? {
        if let Some(p) = db::projects::by_id(&s.db, project_id).await?
            && access.can_read(&s.db, &p).await?
        {
            return Ok(img);
        }
    }
    Err(missing())
}

async fn serve(s: &AppState, sha256: &str, headers: &HeaderMap) -> ApiResult<Response> {
    let etag = format!("\"{sha256}\"");
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains(&etag)) {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
        return Ok(res);
    }
    if s.config.image_redirect_secs > 0
        && let Some(url) = s.blobs.signed_url(sha256, s.config.image_redirect_secs).await
    {
        let url = url.map_err(|e| ApiError::internal(format!("signing a URL for image {sha256}: {e}")))?;
        let mut res = StatusCode::FOUND.into_response();
        let h = res.headers_mut();
        h.insert(header::LOCATION, HeaderValue::from_str(url.as_str()).map_err(ApiError::internal)?);
        // The signature expires: the redirect itself is cached for less.
        let secs = (s.config.image_redirect_secs / 2).max(1);
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_str(&format!("private, max-age={secs}")).map_err(ApiError::internal)?,
        );
        return Ok(res);
    }
    let read =
        s.blobs.get(sha256, None).await.map_err(|e| ApiError::internal(format!("reading image {sha256}: {e}")))?;
    let len = read.size;
    let mut res = (StatusCode::OK, Body::from_stream(read.stream)).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    h.insert(header::ETAG, HeaderValue::from_str(&etag).map_err(ApiError::internal)?);
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(res)
}

/// A trace image (PNG), by the SHA-256 of its file.
#[utoipa::path(get, path = "/image/{hash}", tag = "traces", params(ImagePath),
    responses((status = 200, description = "the PNG", content_type = "image/png"),
        (status = 302, description = "to a signed object-store URL (with --image-redirect-secs)"),
        (status = 304, description = "not modified"), (status = 400, body = shared::model::ErrorBody),
        (status = 404, body = shared::model::ErrorBody)))]
pub async fn image(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ImagePath>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let img = check(&s, &access, &path.hash).await?;
    serve(&s, &img.sha256, &headers).await
}

/// A thumbnail of a trace image: at most 256 pixels a side (the image
/// itself when smaller), made once and kept.
#[utoipa::path(get, path = "/image/{hash}/thumb", tag = "traces", params(ImagePath),
    responses((status = 200, description = "the PNG", content_type = "image/png"),
        (status = 302, description = "to a signed object-store URL"), (status = 404, body = shared::model::ErrorBody)))]
pub async fn thumb(
    State(s): State<AppState>,
    Reader(access): Reader,
    ApiPath(path): ApiPath<ImagePath>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let img = check(&s, &access, &path.hash).await?;
    if img.width <= THUMB_SIDE as i64 && img.height <= THUMB_SIDE as i64 {
        return serve(&s, &img.sha256, &headers).await;
    }
    let thumb = match img.thumb_sha256 {
        Some(t) => t,
        None => make_thumb(&s, &img.sha256).await?,
    };
    serve(&s, &thumb, &headers).await
}

async fn make_thumb(s: &AppState, sha256: &str) -> ApiResult<String> {
    let bytes = s
        .blobs
        .read_range(sha256, 0..s.blobs.size(sha256).await.map_err(ApiError::internal)?.unwrap_or(0))
        .await
        .map_err(|e| ApiError::internal(format!("reading image {sha256}: {e}")))?;
    let png = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, image::ImageError> {
        let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)?;
        let t = img.thumbnail(THUMB_SIDE, THUMB_SIDE);
        let mut out = std::io::Cursor::new(Vec::new());
        t.write_to(&mut out, image::ImageFormat::Png)?;
        Ok(out.into_inner())
    })
    .await
    .map_err(|e| ApiError::internal(format!("thumbnail task failed: {e}")))?
    .map_err(|e| ApiError::internal(format!("thumbnail of {sha256}: {e}")))?;
    let thumb = hex::encode(Sha256::digest(&png));
    let size = png.len() as i64;
    s.blobs
        .put_bytes(&thumb, png.into())
        .await
        .map_err(|e| ApiError::internal(format!("storing the thumbnail of {sha256}: {e}")))?;
    let mut tx = s.db.begin_write().await?;
    rows::set_thumb(&mut tx, sha256, &thumb, size).await?;
    tx.commit().await?;
    Ok(thumb)
}
