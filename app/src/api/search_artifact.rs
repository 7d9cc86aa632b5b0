use crate::error::AppError;
use leptos::prelude::*;
use shared::model::ArtifactSearch;

/// The lines of a text artifact that contain `q`, from line `from` on.
#[server]
pub async fn search_artifact(artifact: i64, q: String, from: i64) -> Result<ArtifactSearch, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.artifact_search(&caller, artifact, &q, from).await;
    crate::backend::answer(&caller, result)
}
