//! Spooling an upload to disk while hashing it, so that memory stays flat
//! whatever the file size, and the SHA-256 is known before parsing.

use crate::error::{ApiError, ApiResult};
use bytes_stream::BytesStream;
use sha2::{Digest, Sha256};
use std::path::Path;
use tempfile::TempPath;
use tokio::io::AsyncWriteExt;

/// One uploaded file on disk, removed when dropped.
#[derive(Debug)]
pub struct Spooled {
    pub filename: String,
    pub path: TempPath,
    pub sha256: String,
    pub size: u64,
}

pub mod bytes_stream {
    use futures_util::Stream;

    /// Chunks of a request body, or the reason it could not be read.
    pub trait BytesStream: Stream<Item = Result<axum::body::Bytes, crate::error::ApiError>> + Unpin + Send {}
    impl<T> BytesStream for T where T: Stream<Item = Result<axum::body::Bytes, crate::error::ApiError>> + Unpin + Send {}
}

/// Writes `body` to a temporary file in `dir`. `budget` is what is left
/// of the request's size limit; exceeding it is a 413.
pub async fn spool(
    filename: String,
    mut body: impl BytesStream,
    dir: &Path,
    budget: &mut u64,
    limit: u64,
) -> ApiResult<Spooled> {
    use futures_util::StreamExt;
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| ApiError::internal(format!("cannot create {}: {e}", dir.display())))?;
    let (file, path) = tempfile::Builder::new()
        .prefix("upload-")
        .tempfile_in(dir)
        .map_err(|e| ApiError::internal(format!("cannot create a temporary file in {}: {e}", dir.display())))?
        .into_parts();
    let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(file));
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        size += chunk.len() as u64;
        if size > *budget {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        hasher.update(&chunk);
        out.write_all(&chunk).await.map_err(|e| ApiError::internal(format!("spooling upload: {e}")))?;
    }
    out.flush().await.map_err(|e| ApiError::internal(format!("spooling upload: {e}")))?;
    *budget -= size;
    Ok(Spooled { filename, path, sha256: hex::encode(hasher.finalize()), size })
}
