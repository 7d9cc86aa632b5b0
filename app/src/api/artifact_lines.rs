use crate::error::AppError;
use leptos::prelude::*;
use shared::model::ArtifactLines;

/// A page of a text artifact's lines.
#[server]
pub async fn get_artifact_lines(artifact: i64, from: i64, count: i64) -> Result<ArtifactLines, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.artifact_lines(&caller, artifact, from, count).await;
    crate::backend::answer(&caller, result)
}
