//! Typed path parameters: one struct per kind of resource path, declared
//! once with its OpenAPI description and used by every handler on it.

use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ProjectPath {
    /// The project's slug.
    pub project: String,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RunPath {
    /// The project's slug.
    pub project: String,
    /// The run's name (URL-encoded) or numeric id.
    pub run: String,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct JobPath {
    /// The project's slug.
    pub project: String,
    /// The run's name (URL-encoded) or numeric id.
    pub run: String,
    /// The job's key (URL-encoded) or numeric id.
    pub job: String,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TestResultPath {
    /// The project's slug.
    pub project: String,
    /// The run's name (URL-encoded) or numeric id.
    pub run: String,
    /// The job's key (URL-encoded) or numeric id.
    pub job: String,
    /// The test result's id.
    pub id: i64,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ArtifactPath {
    /// The artifact's id.
    pub id: i64,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AnnotationPath {
    /// The annotation's id.
    pub id: i64,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RegressionPath {
    /// The project's slug.
    pub project: String,
    /// The regression tag.
    pub tag: String,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SeriesPath {
    /// The series' id.
    pub id: i64,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AlertPath {
    /// The alert's id.
    pub id: i64,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TracePath {
    /// The project's slug.
    pub project: String,
    /// The trace's id (a trace on one device).
    pub id: i64,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TraceResultPath {
    /// The project's slug.
    pub project: String,
    /// The trace result's id.
    pub id: i64,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ImagePath {
    /// The image's SHA-256 (of its PNG file).
    pub hash: String,
}
