//! Extractors whose rejections follow the API's error policy (JSON bodies
//! naming what is wrong) instead of axum's plain-text defaults.

use crate::error::ApiError;
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
