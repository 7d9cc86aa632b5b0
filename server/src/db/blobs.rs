//! Rows of the blobs that the database refers to (see [`crate::blobs`]).

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};

/// Whether a row exists for the blob: if so, its object is in the store
/// and something refers to it, so an upload of the same content need not
/// write it again.
pub async fn exists(db: &Db, sha256: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM blobs WHERE sha256 = $1")
        .bind(sha256).fetch_one(p).await)?;
    Ok(n > 0)
}

/// Records a blob that has been written in full.
pub async fn insert(tx: &mut Tx, sha256: &str, size: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO blobs (sha256, size_bytes, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING"
    )
    .bind(sha256)
    .bind(size)
    .bind(super::now())
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// Rows older than `before` that nothing refers to any more.
pub async fn unreferenced(db: &Db, before: DateTime<Utc>, limit: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as(
        "SELECT b.sha256, b.size_bytes FROM blobs b WHERE b.created_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.sha256 = b.sha256) \
         AND NOT EXISTS (SELECT 1 FROM perftracker_artifacts t WHERE t.sha256 = b.sha256) \
         AND NOT EXISTS (SELECT 1 FROM trace_images i WHERE i.sha256 = b.sha256 OR i.thumb_sha256 = b.sha256) ORDER BY b.sha256 LIMIT $2"
    ).bind(before).bind(limit).fetch_all(p).await)
}

/// Deletes the row if nothing refers to it still; true if it was deleted.
/// A reference committed meanwhile keeps it (the foreign key refuses the
/// delete, which the caller takes as "still in use").
pub async fn delete_if_unreferenced(tx: &mut Tx, sha256: &str) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "DELETE FROM blobs WHERE sha256 = $1 AND NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.sha256 = $1) \
         AND NOT EXISTS (SELECT 1 FROM perftracker_artifacts t WHERE t.sha256 = $1) \
         AND NOT EXISTS (SELECT 1 FROM trace_images i WHERE i.sha256 = $1 OR i.thumb_sha256 = $1)"
    ).bind(sha256).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Which of these blobs have rows.
pub async fn known(db: &Db, sha256s: &[String]) -> Result<Vec<String>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in sha256s.chunks(500) {
        let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT sha256 FROM blobs WHERE sha256 IN ({})", params.join(", "));
        let found: Vec<String> = on_db!(db, p => {
            let mut q = sqlx::query_scalar(&sql);
            for sha in chunk {
                q = q.bind(sha);
            }
            q.fetch_all(p).await
        })?;
        out.extend(found);
    }
    Ok(out)
}
