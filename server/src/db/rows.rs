//! What the row types of every table share. Each table's row type lives
//! beside its queries (`db::runs::RunRow`…) and is re-exported here.
//!
//! Rows decode strictly: a stored word, code or JSON value that does not
//! decode (an enum word we do not know, bad JSON) fails the query with
//! `sqlx::Error::ColumnDecode`, which the API answers as an internal error
//! logged with an error id. Nothing falls back to a default silently.

use serde::de::DeserializeOwned;
use shared::Counts;

pub use super::artifacts::{ARTIFACT_COLUMNS, ArtifactRow};
pub use super::audit::AuditRow;
pub use super::jobs::{JOB_COLUMNS, JobRow};
pub use super::members::MemberRow;
pub use super::projects::{PROJECT_COLUMNS, ProjectRow};
pub use super::results::{HistoryRow, RESULT_DETAIL_COLUMNS, RESULT_ROW_COLUMNS, ResultDetailRow, ResultRow};
pub use super::runs::{RUN_COLUMNS, RunRow};
pub use super::sessions::SessionRow;
pub use super::tokens::{TOKEN_COLUMNS, TokenRow};
pub use super::uploads::{UPLOAD_COLUMNS, UploadRow};
pub use super::users::{USER_COLUMNS, UserRow};

pub const COUNT_COLUMNS: &str = "total, passed, failed, errors, skipped, flaky, duration_s, quarantined";

#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct CountsRow {
    pub total: i64,
    pub passed: i64,
    pub failed: i64,
    pub errors: i64,
    pub skipped: i64,
    pub flaky: i64,
    pub duration_s: f64,
    pub quarantined: i64,
}

impl From<CountsRow> for Counts {
    fn from(c: CountsRow) -> Self {
        Counts {
            total: c.total,
            passed: c.passed,
            failed: c.failed,
            errors: c.errors,
            skipped: c.skipped,
            flaky: c.flaky,
            duration_s: c.duration_s,
            quarantined: c.quarantined,
        }
    }
}

/// A JSON value kept in a TEXT column, decoded when the row is read
/// (`#[sqlx(try_from = "String")]`, or `"Option<String>"` for a nullable
/// column, which decodes NULL as the default).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonText<T>(pub T);

impl<T: DeserializeOwned> TryFrom<String> for JsonText<T> {
    type Error = serde_json::Error;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        serde_json::from_str(&s).map(JsonText)
    }
}

impl<T: DeserializeOwned + Default> TryFrom<Option<String>> for JsonText<T> {
    type Error = serde_json::Error;
    fn try_from(s: Option<String>) -> Result<Self, Self::Error> {
        match s {
            Some(s) => serde_json::from_str(&s).map(JsonText),
            None => Ok(JsonText(T::default())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_refuses_what_does_not_decode() {
        let ok: JsonText<Vec<String>> = String::from("[\"a\"]").try_into().unwrap();
        assert_eq!(ok.0, ["a"]);
        assert!(JsonText::<Vec<String>>::try_from(String::from("[1,")).is_err());
        let none: JsonText<Vec<String>> = Option::<String>::None.try_into().unwrap();
        assert!(none.0.is_empty());
    }
}
