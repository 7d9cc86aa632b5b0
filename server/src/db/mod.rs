//! Storage on SQLite (the embedded default) or PostgreSQL.
//!
//! Queries are written once, with `$1`-style parameters that both drivers
//! accept, and run on whichever backend [`Db`] holds: [`on_db!`] and
//! [`on_tx!`] expand a query body once per backend, so each copy is
//! compiled and type-checked against its own driver. Where the dialects
//! differ (bulk inserts, case-insensitive search) a module says so.

pub mod alerts;
pub mod analytics;
pub mod annotations;
pub mod artifacts;
pub mod audit;
pub mod blobs;
pub mod clusters;
pub mod flaky;
pub mod hawk;
pub mod ingest;
pub mod jobs;
pub mod log_parses;
pub mod members;
pub mod perf;
pub mod perftracker;
pub mod projects;
pub mod quarantine;
pub mod results;
pub mod rows;
pub mod runs;
pub mod sessions;
pub mod settings;
pub mod tokens;
pub mod traces;
pub mod treeherder;
pub mod uploads;
pub mod users;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Write-ahead log size (in 4 KiB pages: 256 MiB) past which it is
/// truncated.
pub const WAL_LIMIT_FRAMES: i64 = 65_536;

/// A connection pool on one of the two backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open write transaction on one of the two backends.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$conn` bound to the pool of whichever backend `$db` is.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $conn:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($conn) => $body,
            $crate::db::Db::Postgres($conn) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection
/// (`&mut Connection`; reborrow it as `&mut *$conn` for each query).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot open the database {target}: {source}")]
    Open { target: String, source: sqlx::Error },
    #[error(
        "DATABASE_URL must start with postgres:// or postgresql:// (or be unset for SQLite in the data directory); got {0}"
    )]
    Scheme(String),
    #[error("database migration failed on {target}: {source}")]
    Migrate { target: String, source: sqlx::migrate::MigrateError },
}

impl Db {
    /// PostgreSQL when `database_url` is given, else SQLite at
    /// `<data_dir>/assay.db` (created, in WAL mode).
    pub async fn connect(database_url: Option<&str>, data_dir: &Path) -> Result<Db, ConnectError> {
        match database_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => Self::connect_postgres(url).await,
            None => Self::connect_sqlite(&data_dir.join("assay.db"), true).await,
        }
    }

    pub async fn connect_postgres(url: &str) -> Result<Db, ConnectError> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(ConnectError::Scheme(redact(url)));
        }
        let opts =
            PgConnectOptions::from_str(url).map_err(|source| ConnectError::Open { target: redact(url), source })?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(|source| ConnectError::Open { target: redact(url), source })?;
        Ok(Db::Postgres(pool))
    }

    pub async fn connect_sqlite(path: &Path, create_dir: bool) -> Result<Db, ConnectError> {
        if create_dir && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| ConnectError::DataDir { path: dir.display().to_string(), source })?;
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Writers queue behind a long ingest rather than fail.
            .busy_timeout(Duration::from_secs(60))
            // 16 MiB of page cache per connection (8 connections): enough for
            // ingest's index pages, small enough to keep the server lean.
            .pragma("cache_size", "-16384")
            .pragma("temp_store", "memory")
            // No checkpoint inside a committing request: `serve` runs them
            // in the background (see `checkpoint`), so an upload pays for
            // writing its pages to the log once, not again into the
            // database file. Short-lived commands checkpoint on close.
            .pragma("wal_autocheckpoint", "0")
            // 4 KiB pages (for new databases): an upload's test results land
            // at random places in the by-test index (one leaf per test), and
            // every page it touches is written to the log at commit, so
            // smaller pages write less. Measured: a 1,000-result upload on a
            // million-result database in 19 ms instead of 29 ms with 16 KiB
            // pages, and bulk ingest no slower (see README, Performance).
            .page_size(4096);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await
            .map_err(|source| ConnectError::Open { target: path.display().to_string(), source })?;
        Ok(Db::Sqlite(pool))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn migrate(&self) -> Result<(), ConnectError> {
        let target = self.backend_name().to_owned();
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await,
        }
        .map_err(|source| ConnectError::Migrate { target, source })
    }

    /// Starts a write transaction.
    ///
    /// On SQLite this is `BEGIN IMMEDIATE`: it takes the write lock up
    /// front, so two writers queue (under `busy_timeout`) instead of both
    /// reading under a deferred transaction and one failing with
    /// SQLITE_BUSY when it tries to write.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Copies the write-ahead log back into the database, in the
    /// background (every second from `serve`): automatic checkpoints are
    /// off, so that no request pays for one. Under steady load some reader
    /// always overlaps the next writer, so a passive checkpoint can copy
    /// frames back but never restart the log, and the file would grow for
    /// as long as the load lasts (checkpoint starvation): past
    /// [`WAL_LIMIT_FRAMES`] frames this waits for the readers of the moment
    /// and truncates the log. A no-op on PostgreSQL.
    pub async fn checkpoint(&self) {
        let Db::Sqlite(pool) = self else { return };
        let frames: Result<(i64, i64, i64), _> = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(pool).await;
        match frames {
            Ok((_, log, _)) if log > WAL_LIMIT_FRAMES => {
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await {
                    tracing::warn!("checkpointing the write-ahead log: {e}");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("checkpointing the write-ahead log: {e}"),
        }
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|_| ()))
    }

    pub async fn close(&self) {
        on_db!(self, p => p.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.rollback().await,
            Tx::Postgres(t) => t.rollback().await,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Tx::Sqlite(_))
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Now, to the microsecond (both backends store microseconds).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}

/// A stored value that does not decode: an error naming the column,
/// never a silent default.
pub fn decode_error(column: &str, err: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("{column}: {err}").into())
}

/// True for a unique-constraint violation.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(d) if d.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
