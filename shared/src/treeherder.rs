//! What Treeherder's front door keeps of a job, as the job page shows it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A job submitted through `/treeherder`: Treeherder's own fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TreeherderJob {
    pub job_guid: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub job_symbol: Option<String>,
    pub group_name: Option<String>,
    pub group_symbol: Option<String>,
    pub product_name: Option<String>,
    /// Treeherder's state and result words (`completed`, `testfailed`…).
    pub state: String,
    pub result: String,
    pub reason: Option<String>,
    pub who: Option<String>,
    pub tier: Option<i64>,
    pub machine: Option<String>,
    pub build_platform: Option<Platform>,
    pub machine_platform: Option<Platform>,
    /// The option collection's options (`debug`, `opt`…), sorted.
    pub options: Vec<String>,
    pub option_collection_hash: Option<String>,
    pub submit_timestamp: Option<i64>,
    pub start_timestamp: Option<i64>,
    pub end_timestamp: Option<i64>,
    pub reference_data_name: Option<String>,
    pub logs: Vec<TreeherderLog>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Platform {
    pub os_name: String,
    pub platform: String,
    pub architecture: String,
}

/// A log the job names (`log_references`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TreeherderLog {
    pub name: String,
    pub url: String,
    pub parse_status: String,
}

/// One line of a "Job Info" artifact. `raw_html` is stored sanitised
/// (no scripts, event handlers or `javascript:` URLs); a `link` has an
/// http(s) `url`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JobInfoDetail {
    pub content_type: String,
    pub title: Option<String>,
    pub value: Option<String>,
    pub url: Option<String>,
}

/// A Treeherder job on its Assay job page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TreeherderInfo {
    pub job: TreeherderJob,
    /// The guid of the job this one was coalesced into, if it was.
    pub coalesced_into: Option<String>,
    pub details: Vec<JobInfoDetail>,
    /// The artifacts' names and types, as posted.
    pub artifacts: Vec<(String, String)>,
    pub submitted_at: DateTime<Utc>,
}

/// A Hawk credential of a project (its secret is never shown again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HawkCredential {
    pub client_id: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Body of `POST …/hawk-credentials`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateHawk {
    /// The client id (letters, digits, `.`, `_`, `-`; unique on the
    /// server). Default: the project's slug and a random suffix.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// A new credential: the secret is shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreatedHawk {
    pub client_id: String,
    pub secret: String,
    pub credential: HawkCredential,
}
