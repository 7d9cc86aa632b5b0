//! Turning a request into spooled files: the one place that reads an
//! upload's body. Every upload endpoint and every front door calls
//! [`receive`]; no handler reads a body itself.
//!
//! - `multipart/form-data` with any number of file fields: each is
//!   streamed to disk (see [`spool`]) as it arrives. Parts named as the
//!   door's option fields (e.g. `meta`, `test`) are read as short text.
//! - Any other body is one file, named by `?filename=` (or the door's
//!   default), if the door accepts its content type.
//!
//! The size limit covers the whole request: past it the answer is 413 and
//! nothing is kept. A malformed multipart body is a 400 saying what is
//! wrong with it.

use super::spool::{self, Naming, Spooled};
use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use axum::extract::Request;
use axum::http::header;
use futures_util::StreamExt;

/// Largest option field (JSON metadata and the like).
pub const MAX_FIELD_BYTES: usize = 256 * 1024;
/// Most option fields in one request.
pub const MAX_FIELDS: usize = 1000;

/// What a door accepts.
#[derive(Debug, Clone, Copy)]
pub struct Door {
    /// Names multipart parts read as text options rather than files.
    pub option_fields: &'static [&'static str],
    /// Whether a raw (non-multipart) body of this content type is a file.
    pub accepts_raw: fn(&str) -> bool,
    /// Says what to send instead, for a refused raw body.
    pub raw_hint: &'static str,
    /// The name of a raw body's file without `?filename=`, and the stem of
    /// unnamed multipart files.
    pub default_name: &'static str,
}

/// The files and option fields of one request.
#[derive(Debug, Default)]
pub struct Received {
    pub files: Vec<Spooled>,
    pub fields: Vec<(String, String)>,
}

impl Received {
    /// Every value given for an option field, in order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The value of a field given at most once.
    pub fn single<'a>(&'a self, name: &'a str) -> ApiResult<Option<&'a str>> {
        let mut values = self.values(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::BadRequest(format!("the field '{name}' is given more than once")));
        }
        Ok(first)
    }
}

/// Reads the request's body into spooled files. `raw_filename` names a raw
/// body's file (from `?filename=`).
pub async fn receive(
    request: Request,
    config: &Config,
    door: &Door,
    raw_filename: Option<&str>,
) -> ApiResult<Received> {
    let limit = config.max_body_bytes;
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").trim().to_owned();
    if let Some(declared) = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok())
        && declared.parse::<u64>().is_ok_and(|n| n > limit)
    {
        // Refused before reading a byte of it.
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let lower = content_type.to_ascii_lowercase();
    if lower.starts_with("multipart/") {
        if !lower.starts_with("multipart/form-data") {
            return Err(ApiError::UnsupportedMediaType(format!(
                "send files as multipart/form-data, not {content_type}"
            )));
        }
        return multipart(request, &content_type, config, door).await;
    }
    let essence = lower.split(';').next().unwrap_or("").trim().to_owned();
    if !(door.accepts_raw)(&essence) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "{} (got {})",
            door.raw_hint,
            if content_type.is_empty() { "no Content-Type" } else { content_type.as_str() }
        )));
    }
    let filename = raw_filename.map(str::trim).filter(|f| !f.is_empty()).unwrap_or(door.default_name);
    let naming = Naming {
        filename: filename.to_owned(),
        field: "body".into(),
        content_type: (!essence.is_empty()).then(|| content_type.clone()),
    };
    let body = request
        .into_body()
        .into_data_stream()
        .map(|chunk| chunk.map_err(|e| ApiError::BadRequest(format!("could not read the request body: {e}"))));
    let mut budget = limit;
    let file = spool::spool(naming, body, &config.tmp_dir, &mut budget, limit).await?;
    Ok(Received { files: vec![file], fields: Vec::new() })
}

async fn multipart(request: Request, content_type: &str, config: &Config, door: &Door) -> ApiResult<Received> {
    let limit = config.max_body_bytes;
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| ApiError::BadRequest(format!("invalid multipart body: {e}")))?;
    let constraints =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit.saturating_add(64 * 1024)));
    let mut parts = multer::Multipart::with_constraints(request.into_body().into_data_stream(), boundary, constraints);
    let mut budget = limit;
    let mut out = Received::default();
    let mut n = 0;
    loop {
        let field = match parts.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e, limit)),
        };
        n += 1;
        let name = field.name().unwrap_or("").to_owned();
        let filename = field.file_name().map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned);
        if filename.is_none() && door.option_fields.contains(&name.as_str()) {
            if out.fields.len() >= MAX_FIELDS {
                return Err(ApiError::BadRequest(format!("more than {MAX_FIELDS} option fields in one request")));
            }
            let value = read_field(field, &name, limit).await?;
            out.fields.push((name, value));
            continue;
        }
        let filename = filename.unwrap_or_else(|| {
            let stem = if name.is_empty() { "upload" } else { name.as_str() };
            format!("{stem}-{n}-{}", door.default_name)
        });
        let declared = field.content_type().map(|m| m.essence_str().to_owned());
        let naming = Naming { filename, field: name, content_type: declared };
        let body = field.map(|chunk| chunk.map_err(|e| multipart_error(e, limit)));
        out.files.push(spool::spool(naming, body, &config.tmp_dir, &mut budget, limit).await?);
    }
    Ok(out)
}

async fn read_field(mut field: multer::Field<'_>, name: &str, limit: u64) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(e, limit))? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_FIELD_BYTES {
            return Err(ApiError::BadRequest(format!(
                "the field '{name}' is longer than {} KiB",
                MAX_FIELD_BYTES / 1024
            )));
        }
    }
    String::from_utf8(bytes).map_err(|_| ApiError::BadRequest(format!("the field '{name}' is not UTF-8 text")))
}

fn multipart_error(e: multer::Error, limit: u64) -> ApiError {
    match e {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            ApiError::PayloadTooLarge { limit }
        }
        multer::Error::StreamReadFailed(e) => ApiError::BadRequest(format!("could not read the request body: {e}")),
        other => ApiError::BadRequest(format!("invalid multipart body: {other}")),
    }
}

/// Raw bodies a report door takes: XML, plain text or bytes (or no type).
pub fn xml_or_bytes(essence: &str) -> bool {
    essence.is_empty() || essence.contains("xml") || essence == "application/octet-stream" || essence == "text/plain"
}

/// Raw bodies a file door takes: anything but a form.
pub fn any_but_form(essence: &str) -> bool {
    essence != "application/x-www-form-urlencoded"
}
