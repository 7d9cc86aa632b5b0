use crate::error::AppError;
use leptos::prelude::*;
use shared::model::Artifact;

/// An artifact of a job, as its page shows it.
#[server]
pub async fn get_artifact(project: String, run: i64, job: i64, artifact: i64) -> Result<Artifact, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.artifact(&caller, &project, run, job, artifact).await;
    crate::backend::answer(&caller, result)
}
