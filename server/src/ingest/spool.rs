//! Spooling one uploaded file to disk while hashing it and indexing its
//! lines, so that memory stays flat whatever the file size, and the
//! SHA-256 (the file's identity) is known before anything is stored.

use super::lines::LineIndexer;
use crate::error::{ApiError, ApiResult};
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use std::path::Path;
use tempfile::TempPath;
use tokio::io::AsyncWriteExt;

pub use super::lines::LineIndex;

/// How many leading bytes of each file are kept in memory, for sniffing
/// what it is.
pub const HEAD_BYTES: usize = 8 * 1024;

/// One uploaded file on disk, removed when dropped.
#[derive(Debug)]
pub struct Spooled {
    /// The name the client gave it.
    pub filename: String,
    /// The multipart field it came in (`body` for a raw body).
    pub field: String,
    /// The content type the client declared for it, if any.
    pub content_type: Option<String>,
    pub path: TempPath,
    pub sha256: String,
    pub size: u64,
    /// The first [`HEAD_BYTES`] bytes.
    pub head: Vec<u8>,
    /// Where its lines start, for reading a page of a text file without
    /// reading what comes before.
    pub lines: LineIndex,
}

/// What a file's bytes arrive as.
pub trait BytesStream: Stream<Item = Result<axum::body::Bytes, ApiError>> + Unpin + Send {}
impl<T> BytesStream for T where T: Stream<Item = Result<axum::body::Bytes, ApiError>> + Unpin + Send {}

/// Names the file being spooled.
#[derive(Debug, Clone)]
pub struct Naming {
    pub filename: String,
    pub field: String,
    pub content_type: Option<String>,
}

/// Writes `body` to a temporary file in `dir`. `budget` is what is left
/// of the request's size limit; exceeding it is a 413.
pub async fn spool(
    naming: Naming,
    mut body: impl BytesStream,
    dir: &Path,
    budget: &mut u64,
    limit: u64,
) -> ApiResult<Spooled> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| ApiError::internal(format!("cannot create {}: {e}", dir.display())))?;
    let (file, path) = tempfile::Builder::new()
        .prefix("upload-")
        .tempfile_in(dir)
        .map_err(|e| ApiError::internal(format!("cannot create a temporary file in {}: {e}", dir.display())))?
        .into_parts();
    let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(file));
    // Hashing and line-indexing run on a thread of their own, beside the
    // writing: on a 1 GB upload, SHA-256 alone takes as long as writing the
    // file, and the two overlap instead of adding up. Chunks are shared,
    // not copied.
    let (feed, mut chunks) = tokio::sync::mpsc::channel::<axum::body::Bytes>(64);
    let digest = tokio::task::spawn_blocking(move || {
        let mut hasher = Sha256::new();
        let mut lines = LineIndexer::default();
        let mut head = Vec::new();
        while let Some(chunk) = chunks.blocking_recv() {
            if head.len() < HEAD_BYTES {
                let take = (HEAD_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            hasher.update(&chunk);
            lines.feed(&chunk);
        }
        (hex::encode(hasher.finalize()), lines.finish(), head)
    });
    let mut size = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        size += chunk.len() as u64;
        if size > *budget {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        out.write_all(&chunk).await.map_err(|e| ApiError::internal(format!("spooling upload: {e}")))?;
        // The hasher keeps up (or the upload waits for it: the channel is
        // bounded); it only stops if its thread is gone, answered below.
        let _ = feed.send(chunk).await;
    }
    out.flush().await.map_err(|e| ApiError::internal(format!("spooling upload: {e}")))?;
    drop(feed);
    let (sha256, lines, head) = digest.await.map_err(|e| ApiError::internal(format!("hashing the upload: {e}")))?;
    *budget -= size;
    Ok(Spooled {
        filename: naming.filename,
        field: naming.field,
        content_type: naming.content_type,
        path,
        sha256,
        size,
        head,
        lines,
    })
}
