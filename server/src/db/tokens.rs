//! API tokens. Only a token's SHA-256 is stored: tokens are 190 bits of
//! randomness, so a fast hash is enough (unlike passwords), and a lookup
//! is one indexed equality.

use super::rows::{TOKEN_COLUMNS, TokenRow};
use super::{Db, Tx};
use crate::{on_db, on_tx};
use rand::Rng;
use sha2::{Digest, Sha256};

pub const TOKEN_PREFIX: &str = "assay_";

/// A new token: `assay_` and 32 base62 characters.
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let body: String = (0..32).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    format!("{TOKEN_PREFIX}{body}")
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Read,
    Write,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }
}

/// Creates a token and returns it in clear (shown once) with its row.
pub async fn create(
    tx: &mut Tx,
    project_id: i64,
    name: &str,
    scope: Scope,
    created_by: Option<i64>,
) -> Result<(String, TokenRow), sqlx::Error> {
    let token = generate();
    let prefix: String = token.chars().take(TOKEN_PREFIX.len() + 6).collect();
    let sql = format!(
        "INSERT INTO api_tokens (project_id, name, prefix, token_hash, scope, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {TOKEN_COLUMNS}"
    );
    let row = on_tx!(tx, c => sqlx::query_as::<_, TokenRow>(&sql)
        .bind(project_id)
        .bind(name)
        .bind(&prefix)
        .bind(hash(&token))
        .bind(scope.as_str())
        .bind(super::now())
        .bind(created_by)
        .fetch_one(&mut *c)
        .await)?;
    Ok((token, row))
}

/// The live (not revoked) token with this clear text, if any.
pub async fn find(db: &Db, token: &str) -> Result<Option<TokenRow>, sqlx::Error> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL");
    on_db!(db, p => sqlx::query_as::<_, TokenRow>(&sql).bind(hash(token)).fetch_optional(p).await)
}

pub async fn touch(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    on_db!(db, p => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(super::now()).bind(id).execute(p).await.map(|_| ()))?;
    Ok(())
}

/// A project's tokens, newest first, with the name of whoever made each.
pub async fn list(db: &Db, project_id: i64) -> Result<Vec<(TokenRow, Option<String>)>, sqlx::Error> {
    let cols: String = TOKEN_COLUMNS.split(", ").map(|c| format!("t.{c}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {cols}, u.username AS creator FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by \
         WHERE t.project_id = $1 ORDER BY t.id DESC"
    );
    #[derive(sqlx::FromRow)]
    struct Joined {
        #[sqlx(flatten)]
        token: TokenRow,
        creator: Option<String>,
    }
    let rows: Vec<Joined> = on_db!(db, p => sqlx::query_as(&sql).bind(project_id).fetch_all(p).await)?;
    Ok(rows.into_iter().map(|j| (j.token, j.creator)).collect())
}

/// Revokes the project's live token with this id or prefix; returns it.
pub async fn revoke(tx: &mut Tx, project_id: i64, id_or_prefix: &str) -> Result<Option<TokenRow>, sqlx::Error> {
    let id = id_or_prefix.parse::<i64>().unwrap_or(-1);
    let sql = format!(
        "UPDATE api_tokens SET revoked_at = $1 WHERE project_id = $2 AND revoked_at IS NULL \
         AND (id = $3 OR prefix = $4) RETURNING {TOKEN_COLUMNS}"
    );
    let rows: Vec<TokenRow> = on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(super::now())
        .bind(project_id)
        .bind(id)
        .bind(id_or_prefix)
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows.into_iter().next())
}
