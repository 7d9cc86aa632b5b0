//! API tokens. Only a token's SHA-256 is stored: tokens are 190 bits of
//! randomness, so a fast hash is enough (unlike passwords), and a lookup
//! is one indexed equality.

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};

pub const TOKEN_COLUMNS: &str = "id, project_id, name, prefix, scope, created_at, last_used_at, revoked_at, created_by";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub prefix: String,
    #[sqlx(try_from = "String")]
    pub scope: Scope,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
}

impl TokenRow {
    pub fn into_json(self, created_by: Option<String>) -> shared::accounts::TokenView {
        shared::accounts::TokenView {
            id: self.id,
            name: self.name,
            prefix: self.prefix,
            scope: self.scope.as_str().to_owned(),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            revoked_at: self.revoked_at,
            created_by,
        }
    }
}

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

impl TryFrom<String> for Scope {
    type Error = shared::status::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        match s.as_str() {
            "read" => Ok(Scope::Read),
            "write" => Ok(Scope::Write),
            _ => Err(shared::status::UnknownValue { kind: "token scope", value: s, expected: "read, write" }),
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

/// The project's live tokens that `given` names, best match first: the
/// secret itself (matched by its hash, so a token leaked in a CI log can
/// be revoked with what was leaked), else the displayed prefix (with or
/// without its trailing ellipsis), else the token's name (several tokens
/// may share one).
pub async fn matching(tx: &mut Tx, project_id: i64, given: &str) -> Result<Vec<TokenRow>, sqlx::Error> {
    let live = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE project_id = $1 AND revoked_at IS NULL");
    let by_hash = format!("{live} AND token_hash = $2");
    let rows: Vec<TokenRow> =
        on_tx!(tx, c => sqlx::query_as(&by_hash).bind(project_id).bind(hash(given)).fetch_all(&mut *c).await)?;
    if !rows.is_empty() {
        return Ok(rows);
    }
    let prefix = given.trim_end_matches('…').trim_end_matches("...");
    let by_prefix = format!("{live} AND prefix = $2");
    let rows: Vec<TokenRow> =
        on_tx!(tx, c => sqlx::query_as(&by_prefix).bind(project_id).bind(prefix).fetch_all(&mut *c).await)?;
    if !rows.is_empty() {
        return Ok(rows);
    }
    let by_name = format!("{live} AND name = $2 ORDER BY id");
    on_tx!(tx, c => sqlx::query_as(&by_name).bind(project_id).bind(given).fetch_all(&mut *c).await)
}

/// The project's live token with this id.
pub async fn live_by_id(tx: &mut Tx, project_id: i64, id: i64) -> Result<Option<TokenRow>, sqlx::Error> {
    let sql =
        format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE project_id = $1 AND id = $2 AND revoked_at IS NULL");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(project_id).bind(id).fetch_optional(&mut *c).await)
}

/// Marks a token revoked.
pub async fn revoke(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(super::now())
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}
