//! Wire types of trace results: what the API answers and the pages show.

use super::{TraceFormat, TraceStatus};
use crate::pixeldiff::Region;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a trace upload stored, per results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceIngestedFile {
    pub upload_id: i64,
    pub filename: String,
    pub format: TraceFormat,
    /// Trace results stored.
    pub traces: i64,
    /// Of those, mismatches and failed replays: they turn the job red.
    pub failed: i64,
    /// Images stored with them (each once, whatever the number of results).
    pub images: i64,
    /// The same file was stored for this job before: nothing new was.
    pub duplicate: bool,
    pub warnings: Vec<String>,
}

/// What a trace upload stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceIngestSummary {
    pub traces: i64,
    pub failed: i64,
    pub images: i64,
    pub files: Vec<TraceIngestedFile>,
}

/// An image kept with trace results: `GET /image/{sha256}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceImage {
    /// SHA-256 of the PNG file.
    pub sha256: String,
    /// MD5 of its RGBA pixels (the replayer's checksum).
    pub checksum: String,
    pub width: u32,
    pub height: u32,
}

/// One trace's result in a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceResultView {
    pub id: i64,
    pub trace_id: i64,
    pub name: String,
    pub device: String,
    pub status: TraceStatus,
    /// The checksum it was held to: the reference accepted in Assay, else
    /// what the upload expected.
    pub expected_checksum: Option<String>,
    /// What the upload itself expected, when it said.
    pub reported_checksum: Option<String>,
    pub actual_checksum: Option<String>,
    pub actual_image: Option<TraceImage>,
    pub expected_image: Option<TraceImage>,
    pub text: Option<String>,
    pub job_id: i64,
    pub run_id: i64,
    pub run_name: String,
    pub job_name: String,
    pub created_at: DateTime<Utc>,
}

/// A job's trace results, mismatches first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobTraces {
    pub results: Vec<TraceResultView>,
    /// Results by status, over the whole job (not only the filtered ones).
    pub counts: Vec<StatusCount>,
    /// The devices of the job's results.
    pub devices: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    pub status: TraceStatus,
    pub count: i64,
}

/// A reference accepted in Assay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferenceChange {
    pub checksum: String,
    pub image: Option<TraceImage>,
    pub previous_checksum: Option<String>,
    /// The result whose image was accepted.
    pub result_id: Option<i64>,
    pub accepted_by: String,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A trace on a device: its reference, its ignore regions, its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceDetail {
    pub id: i64,
    pub name: String,
    pub device: String,
    /// Accepted in Assay, if ever.
    pub reference_checksum: Option<String>,
    pub reference_image: Option<TraceImage>,
    pub ignore_regions: Vec<Region>,
    /// Its results, newest first.
    pub history: Vec<TraceResultView>,
    /// References accepted, newest first.
    pub references: Vec<ReferenceChange>,
}

/// `POST …/traces/accept`: make these results' images the references.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptReferences {
    pub results: Vec<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `PUT …/traces/{id}/ignore-regions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IgnoreRegions {
    pub regions: Vec<Region>,
}
