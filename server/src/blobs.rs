//! Blobs: files kept whole (artifacts now; trace images and perf
//! attachments next), in an object store through the `object_store` crate,
//! content-addressed by SHA-256 so the same content is stored once.
//!
//! The store is named by URL: `file:///path` (the default is
//! `<data-dir>/blobs`, with no set-up), `s3://bucket/prefix` or
//! `gs://bucket/prefix`, with credentials and endpoints from the usual
//! environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`;
//! `GOOGLE_SERVICE_ACCOUNT`…). With an object store and PostgreSQL, a
//! server keeps no state of its own.
//!
//! Lifecycle (see `service::prune`): a blob is written in full before any
//! row refers to it, and its `blobs` row is committed in the same
//! transaction as what refers to it, so a failed request leaves at worst an
//! object without a row; pruning removes those once they are older than a
//! grace period, and removes rows (and objects) nothing refers to any more.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path as StorePath;
use object_store::{GetOptions, GetRange, ObjectStore, PutPayload, WriteMultipart};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use tokio::io::AsyncReadExt;

/// Where every blob lives in the store: `sha256/ab/abcdef…`.
const ROOT: &str = "sha256";

/// Files up to this size are written in one request; larger ones in parts
/// of this size, a few at a time, so memory stays flat.
const PART: usize = 8 * 1024 * 1024;
/// Parts in flight at once.
const PARTS_IN_FLIGHT: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("the object store URL {0}")]
    Url(String),
    #[error("blob {0} is not in the object store")]
    NotFound(String),
    #[error("the requested range is outside the blob")]
    Range,
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
    #[error("reading {path}: {source}")]
    File { path: String, source: std::io::Error },
}

/// A content-addressed blob store.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// The store's URL (no credentials are ever in it), for messages.
    url: String,
    /// For a local directory store: the directory, so that a spooled
    /// upload is linked into place instead of copied (see `put_file`).
    local_root: Option<std::path::PathBuf>,
    /// For S3 and GCS: what signs URLs a browser can fetch a blob from
    /// directly, and the prefix blobs are kept under.
    signer: Option<(Arc<dyn object_store::signer::Signer>, String)>,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blobs({})", self.url)
    }
}

/// A blob read back: its bytes as a stream, the range they cover and the
/// blob's whole size.
pub struct Read {
    pub stream: BoxStream<'static, Result<Bytes, BlobError>>,
    pub range: Range<u64>,
    pub size: u64,
}

/// One object of the store, as listing finds it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub sha256: String,
    pub size: u64,
    pub last_modified: DateTime<Utc>,
}

impl Blobs {
    /// The store a URL names, configured from the environment.
    pub fn open(url: &str) -> Result<Blobs, BlobError> {
        Self::open_with(url, Vec::new())
    }

    /// The store a URL names, with settings (e.g. `aws_endpoint`) over
    /// those of the environment.
    pub fn open_with(url: &str, options: Vec<(String, String)>) -> Result<Blobs, BlobError> {
        let parsed = url::Url::parse(url).map_err(|e| BlobError::Url(format!("'{url}' does not parse: {e}")))?;
        let prefix = parsed.path().trim_matches('/').to_owned();
        let signer;
        let store: Arc<dyn ObjectStore> = match parsed.scheme() {
            "file" => {
                let dir = parsed.to_file_path().map_err(|()| BlobError::Url(format!("'{url}' is not a local path")))?;
                return Self::local(&dir);
            }
            "s3" | "s3a" => {
                let mut builder = object_store::aws::AmazonS3Builder::from_env().with_url(url);
                for (k, v) in &options {
                    let key = k.parse().map_err(|e| BlobError::Url(format!("option {k}: {e}")))?;
                    builder = builder.with_config(key, v);
                }
                let s3 = Arc::new(builder.build().map_err(|e| BlobError::Url(format!("'{url}': {e}")))?);
                signer = Some((s3.clone() as Arc<dyn object_store::signer::Signer>, prefix.clone()));
                with_prefix(s3, &prefix)
            }
            "gs" => {
                let mut builder = object_store::gcp::GoogleCloudStorageBuilder::from_env().with_url(url);
                for (k, v) in &options {
                    let key = k.parse().map_err(|e| BlobError::Url(format!("option {k}: {e}")))?;
                    builder = builder.with_config(key, v);
                }
                let gcs = Arc::new(builder.build().map_err(|e| BlobError::Url(format!("'{url}': {e}")))?);
                signer = Some((gcs.clone() as Arc<dyn object_store::signer::Signer>, prefix.clone()));
                with_prefix(gcs, &prefix)
            }
            other => {
                return Err(BlobError::Url(format!("'{url}' has the scheme '{other}'; use file://, s3:// or gs://")));
            }
        };
        Ok(Blobs { store, url: url.to_owned(), local_root: None, signer })
    }

    /// A store in a local directory (created if missing).
    pub fn local(dir: &Path) -> Result<Blobs, BlobError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| BlobError::Url(format!("directory {} cannot be created: {e}", dir.display())))?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| BlobError::Url(format!("directory {}: {e}", dir.display())))?
            .with_automatic_cleanup(true);
        Ok(Blobs {
            store: Arc::new(fs),
            url: format!("file://{}", dir.display()),
            local_root: Some(dir.to_path_buf()),
            signer: None,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A URL that reads the blob straight from the object store for the
    /// next `secs` seconds, for stores that sign URLs (S3, GCS); `None`
    /// for a local directory.
    pub async fn signed_url(&self, sha256: &str, secs: u64) -> Option<Result<url::Url, BlobError>> {
        let (signer, prefix) = self.signer.as_ref()?;
        let key = Self::key(sha256);
        let full = if prefix.is_empty() { key } else { StorePath::from(format!("{prefix}/{key}")) };
        Some(
            signer
                .signed_url(axum::http::Method::GET, &full, std::time::Duration::from_secs(secs))
                .await
                .map_err(BlobError::Store),
        )
    }

    /// Writes bytes as the blob `sha256` (small blobs: thumbnails).
    pub async fn put_bytes(&self, sha256: &str, bytes: Bytes) -> Result<(), BlobError> {
        self.store.put(&Self::key(sha256), PutPayload::from_bytes(bytes)).await?;
        Ok(())
    }

    fn key(sha256: &str) -> StorePath {
        let shard = sha256.get(..2).unwrap_or("00");
        StorePath::from(format!("{ROOT}/{shard}/{sha256}"))
    }

    /// Writes a file as the blob `sha256` (its SHA-256, already computed).
    /// The object appears whole or not at all.
    pub async fn put_file(&self, sha256: &str, file: &Path) -> Result<(), BlobError> {
        let io = |source| BlobError::File { path: file.display().to_string(), source };
        // A local store is a directory in the layout `object_store`'s
        // LocalFileSystem reads (the key's segments as directories): the
        // spooled file is hard-linked into place, so a 1 GB upload is
        // written to disk once, not twice. A link appears whole or not at
        // all, like LocalFileSystem's own staged writes; the content never
        // changes (the name is its hash). Across file systems, or where links
        // are refused, the store's own write is used.
        if let Some(root) = &self.local_root
            && self.link_into(root, sha256, file).await.is_ok()
        {
            return Ok(());
        }
        let mut input = tokio::fs::File::open(file).await.map_err(io)?;
        let size = input.metadata().await.map_err(io)?.len();
        let key = Self::key(sha256);
        if size <= PART as u64 {
            let mut bytes = Vec::with_capacity(size as usize);
            input.read_to_end(&mut bytes).await.map_err(io)?;
            self.store.put(&key, PutPayload::from(bytes)).await?;
            return Ok(());
        }
        let upload = self.store.put_multipart(&key).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = vec![0u8; 1024 * 1024];
        loop {
            let n = match input.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(io(e));
                }
            };
            if let Err(e) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                let _ = writer.abort().await;
                return Err(e.into());
            }
            writer.write(&buf[..n]);
        }
        writer.finish().await?;
        Ok(())
    }

    async fn link_into(&self, root: &Path, sha256: &str, file: &Path) -> std::io::Result<()> {
        let dest = root.join(Self::key(sha256).as_ref());
        if let Some(dir) = dest.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        match tokio::fs::hard_link(file, &dest).await {
            Ok(()) => Ok(()),
            // Already there (same content, by its name): written again
            // would change nothing but its age, which pruning reads.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let now = std::time::SystemTime::now();
                std::fs::File::options().write(true).open(&dest)?.set_modified(now)
            }
            Err(e) => Err(e),
        }
    }

    /// Reads the blob, or the part of it in `range` (end exclusive).
    pub async fn get(&self, sha256: &str, range: Option<Range<u64>>) -> Result<Read, BlobError> {
        let options = GetOptions { range: range.map(GetRange::Bounded), ..GetOptions::default() };
        let got = match self.store.get_opts(&Self::key(sha256), options).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Err(BlobError::NotFound(sha256.to_owned())),
            Err(e) if is_range_error(&e) => return Err(BlobError::Range),
            Err(e) => return Err(e.into()),
        };
        let size = got.meta.size;
        let range = got.range.clone();
        let stream = match got.payload {
            // A local file is read in large chunks: the store's own stream
            // reads 8 KiB at a time, which caps a download at a fraction of
            // the disk's speed.
            object_store::GetResultPayload::File(file, path) => {
                use tokio::io::AsyncSeekExt;
                let mut file = tokio::fs::File::from_std(file);
                let at = |source| BlobError::File { path: path.display().to_string(), source };
                file.seek(std::io::SeekFrom::Start(range.start)).await.map_err(at)?;
                let part = file.take(range.end - range.start);
                let shown = path.display().to_string();
                tokio_util::io::ReaderStream::with_capacity(part, 1024 * 1024)
                    .map_err(move |source| BlobError::File { path: shown.clone(), source })
                    .boxed()
            }
            object_store::GetResultPayload::Stream(s) => s.map_err(BlobError::from).boxed(),
        };
        Ok(Read { stream, range, size })
    }

    /// Reads `range` of the blob into memory (for small ranges).
    pub async fn read_range(&self, sha256: &str, range: Range<u64>) -> Result<Bytes, BlobError> {
        if range.is_empty() {
            return Ok(Bytes::new());
        }
        match self.store.get_range(&Self::key(sha256), range).await {
            Ok(b) => Ok(b),
            Err(object_store::Error::NotFound { .. }) => Err(BlobError::NotFound(sha256.to_owned())),
            Err(e) if is_range_error(&e) => Err(BlobError::Range),
            Err(e) => Err(e.into()),
        }
    }

    /// The blob's size, if it is there.
    pub async fn size(&self, sha256: &str) -> Result<Option<u64>, BlobError> {
        match self.store.head(&Self::key(sha256)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// When the blob was last written, if it is there.
    pub async fn last_modified(&self, sha256: &str) -> Result<Option<DateTime<Utc>>, BlobError> {
        match self.store.head(&Self::key(sha256)).await {
            Ok(meta) => Ok(Some(meta.last_modified)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete(&self, sha256: &str) -> Result<(), BlobError> {
        match self.store.delete(&Self::key(sha256)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Every blob in the store. Objects that are not blobs (not named by a
    /// SHA-256 under the blob root) are left out.
    pub fn list(&self) -> BoxStream<'_, Result<Listed, BlobError>> {
        let root = StorePath::from(ROOT);
        self.store
            .list(Some(&root))
            .filter_map(|item| async move {
                match item {
                    Ok(meta) => {
                        let name = meta.location.filename()?.to_owned();
                        is_sha256(&name)
                            .then(|| Ok(Listed { sha256: name, size: meta.size, last_modified: meta.last_modified }))
                    }
                    Err(e) => Some(Err(e.into())),
                }
            })
            .boxed()
    }
}

fn with_prefix(store: Arc<dyn ObjectStore>, prefix: &str) -> Arc<dyn ObjectStore> {
    if prefix.is_empty() { store } else { Arc::new(object_store::prefix::PrefixStore::new(store, prefix)) }
}

fn is_range_error(e: &object_store::Error) -> bool {
    let text = e.to_string();
    text.contains("Range") && (text.contains("not satisf") || text.contains("out of bounds") || text.contains("416"))
}

/// 64 lowercase hex digits.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_store() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}", dir.path().join("b").display());
        assert!(Blobs::open(&url).is_ok());
        let err = Blobs::open("ftp://host/x").unwrap_err().to_string();
        assert!(err.contains("use file://, s3:// or gs://"), "{err}");
        assert!(Blobs::open("not a url").is_err());
    }

    #[test]
    fn keys_are_sharded_by_hash() {
        let sha = "ab".repeat(32);
        assert_eq!(Blobs::key(&sha).as_ref(), format!("sha256/ab/{sha}"));
        assert!(is_sha256(&sha) && !is_sha256("abc") && !is_sha256(&"AB".repeat(32)));
    }
}
