//! Typed configuration, read once at start from flags and environment.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the database is: shared by `serve` and the admin commands so that
/// they act on the same data.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Directory for the SQLite database and scratch files.
    #[arg(long, env = "ASSAY_DATA_DIR", default_value = "./assay-data")]
    pub data_dir: PathBuf,
    /// PostgreSQL URL (postgres://…). Unset: SQLite at <data-dir>/assay.db.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The key (64 hex digits) that seals stored secrets (Hawk credentials).
    /// Unset: read from <data-dir>/secret.key, made there on first use.
    /// Servers sharing one PostgreSQL database must share it.
    #[arg(long, env = "ASSAY_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
}

impl DbArgs {
    /// The key that seals stored secrets (see `secret_key`).
    pub fn sealing_key(&self) -> Result<crate::auth::hawk::SealingKey, String> {
        crate::auth::hawk::SealingKey::load(self.secret_key.as_deref(), &self.data_dir)
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "ASSAY_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,
    #[command(flatten)]
    pub db: DbArgs,
    /// Largest request body accepted, in bytes (uploads above it get 413).
    #[arg(long, env = "ASSAY_MAX_BODY_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_body_bytes: u64,
    /// Directory holding the UI's compiled assets (pkg/assay.js…). Found
    /// next to the binary when unset.
    #[arg(long, env = "ASSAY_SITE_ROOT")]
    pub site_root: Option<PathBuf>,
    /// Behind a reverse proxy: take the client's address (for sign-in rate
    /// limits and the audit log) from the last `X-Forwarded-For` hop, the
    /// one the proxy added. Off: the socket peer, which a client cannot forge.
    #[arg(long, env = "ASSAY_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Largest width or height of a trace image, in pixels.
    #[arg(long, env = "ASSAY_IMAGE_MAX_SIDE", default_value_t = 16384)]
    pub image_max_side: u32,
    /// Largest decoded size of a trace image (RGBA), in bytes: a PNG that
    /// would decode past it (a decompression bomb) is refused unread.
    #[arg(long, env = "ASSAY_IMAGE_MAX_DECODED_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub image_max_decoded_bytes: u64,
    /// Answer `GET /image/{hash}` with a redirect to a signed URL of the
    /// object store (S3 or GCS), valid for this many seconds, rather than
    /// serving the bytes through Assay. 0: serve them.
    #[arg(long, env = "ASSAY_IMAGE_REDIRECT_SECS", default_value_t = 0)]
    pub image_redirect_secs: u64,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub log_fetch: LogFetchArgs,
}

/// Which logs Treeherder jobs name by URL the server fetches and parses.
#[derive(Debug, Clone, Args)]
pub struct LogFetchArgs {
    /// A host whose logs are fetched: `host`, `host:port` or `*.domain`
    /// (repeatable, or comma-separated in the variable). None: no log is
    /// fetched, and each job's page says so.
    #[arg(long = "log-fetch-allow", env = "ASSAY_LOG_FETCH_ALLOW", value_delimiter = ',')]
    pub allow: Vec<String>,
    /// Also fetch from hosts at private, loopback or link-local addresses
    /// (refused otherwise, even when allowed by name).
    #[arg(long = "log-fetch-private", env = "ASSAY_LOG_FETCH_PRIVATE")]
    pub private: bool,
    /// Largest log fetched, in bytes (after gzip is undone).
    #[arg(long = "log-fetch-max-bytes", env = "ASSAY_LOG_FETCH_MAX_BYTES", default_value_t = 128 * 1024 * 1024)]
    pub max_bytes: u64,
    /// Longest a fetch may take, in seconds.
    #[arg(long = "log-fetch-timeout-secs", env = "ASSAY_LOG_FETCH_TIMEOUT_SECS", default_value_t = 120)]
    pub timeout_secs: u64,
}

impl LogFetchArgs {
    pub fn policy(&self) -> crate::service::logs::FetchPolicy {
        crate::service::logs::FetchPolicy {
            allow: self.allow.iter().map(|h| h.trim().to_owned()).filter(|h| !h.is_empty()).collect(),
            private: self.private,
            max_bytes: self.max_bytes,
            timeout: std::time::Duration::from_secs(self.timeout_secs.max(1)),
            ..Default::default()
        }
    }
}

/// Where blobs live: shared by `serve` and `prune`.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Object store for artifacts and other blobs: file:///path, s3://bucket/prefix or
    /// gs://bucket/prefix (credentials from the usual AWS_* / GOOGLE_* variables).
    /// Unset: <data-dir>/blobs.
    #[arg(long, env = "ASSAY_OBJECT_STORE")]
    pub object_store: Option<String>,
}

impl StoreArgs {
    /// The store named, or the data directory's.
    pub fn open(&self, data_dir: &std::path::Path) -> Result<crate::blobs::Blobs, String> {
        let blobs = match self.object_store.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => crate::blobs::Blobs::open(url),
            None => crate::blobs::Blobs::local(&absolute(&data_dir.join("blobs"))),
        };
        blobs.map_err(|e| e.to_string())
    }
}

fn absolute(p: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Settings the running server needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub max_body_bytes: u64,
    /// Scratch directory for spooled uploads.
    pub tmp_dir: PathBuf,
    /// Client addresses come from `X-Forwarded-For` (see `ServeArgs`).
    pub trust_proxy: bool,
    /// Trace images: the largest side and decoded size accepted.
    pub image_max_side: u32,
    pub image_max_decoded_bytes: u64,
    /// Redirect image reads to signed object-store URLs valid this long (0: off).
    pub image_redirect_secs: u64,
    /// Seals and opens stored secrets (Hawk credentials).
    pub sealing_key: crate::auth::hawk::SealingKey,
    /// Which logs are fetched for parsing.
    pub log_fetch: crate::service::logs::FetchPolicy,
}

impl Config {
    pub fn for_tests(tmp_dir: PathBuf) -> Config {
        Config {
            max_body_bytes: 256 * 1024 * 1024,
            tmp_dir,
            trust_proxy: false,
            image_max_side: 16384,
            image_max_decoded_bytes: 256 * 1024 * 1024,
            image_redirect_secs: 0,
            sealing_key: crate::auth::hawk::SealingKey::random(),
            log_fetch: crate::service::logs::FetchPolicy::default(),
        }
    }
}
