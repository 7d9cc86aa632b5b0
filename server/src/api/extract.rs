//! Extractors whose rejections follow the API's error policy (JSON bodies
//! naming what is wrong) instead of axum's plain-text defaults, and the
//! one extractor of a request's caller ([`Reader`], [`Writer`]).

use crate::error::ApiError;
use crate::service::access::Access;
use crate::state::AppState;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(ApiError::UnsupportedMediaType("expected a JSON body with Content-Type: application/json".into()))
            }
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::BadRequest(format!(
                "invalid request body: {}",
                e.body_text().trim_start_matches("Failed to deserialize the JSON body into the target type: ")
            ))),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::BadRequest(format!(
                "request body is not valid JSON: {}",
                e.body_text().trim_start_matches("Failed to parse the request body as JSON: ")
            ))),
            Err(other) => Err(ApiError::BadRequest(other.body_text())),
        }
    }
}

pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::BadRequest(format!(
                "invalid query string: {}",
                e.body_text().trim_start_matches("Failed to deserialize query string: ")
            ))),
            Err(other) => Err(ApiError::BadRequest(other.body_text())),
        }
    }
}

/// A path's parameters, decoded; a malformed one is a 400 in the API's
/// error shape.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => Err(ApiError::BadRequest(match e.kind() {
                ErrorKind::ParseErrorAtKey { key, value, expected_type } => {
                    let what = if expected_type.starts_with('i') || expected_type.starts_with('u') {
                        "a number"
                    } else {
                        expected_type
                    };
                    format!("{key} must be {what}, got '{value}'")
                }
                _ => format!("invalid path: {}", e.body_text()),
            })),
            Err(e) => Err(ApiError::BadRequest(format!("invalid path: {}", e.body_text()))),
        }
    }
}

/// The caller of a read, resolved once per request.
pub struct Reader(pub Access);

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Reader(Access::of_request(&state.db, &parts.headers, &parts.extensions).await?))
    }
}

/// The caller of a write: resolved once per request, with the anti-CSRF
/// check for session callers (`X-CSRF-Token`).
pub struct Writer(pub Access);

impl FromRequestParts<AppState> for Writer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let access = Access::of_request(&state.db, &parts.headers, &parts.extensions).await?;
        access.check_write(&parts.headers, None)?;
        Ok(Writer(access))
    }
}
