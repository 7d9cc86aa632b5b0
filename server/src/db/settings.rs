//! Instance settings, as key/value rows.

use super::{Db, Tx};
use crate::{on_db, on_tx};
use shared::accounts::InstanceSettings;

const ANONYMOUS_READ: &str = "anonymous_read";

pub async fn load(db: &Db) -> Result<InstanceSettings, sqlx::Error> {
    let rows: Vec<(String, String)> =
        on_db!(db, p => sqlx::query_as("SELECT key, value FROM settings").fetch_all(p).await)?;
    let mut s = InstanceSettings::default();
    for (key, value) in rows {
        if key == ANONYMOUS_READ {
            s.anonymous_read = match value.as_str() {
                "true" => true,
                "false" => false,
                other => {
                    return Err(super::decode_error(
                        "settings.anonymous_read",
                        format!("'{other}' is neither true nor false"),
                    ));
                }
            };
        }
    }
    Ok(s)
}

pub async fn save(tx: &mut Tx, s: &InstanceSettings) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    .bind(ANONYMOUS_READ)
    .bind(if s.anonymous_read { "true" } else { "false" })
    .execute(&mut *c)
    .await
    .map(|_| ()))
}
