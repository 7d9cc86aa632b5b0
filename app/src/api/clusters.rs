use crate::error::AppError;
use leptos::prelude::*;
use shared::analytics::wire::{ClusterDetail, ClusterList, JobCluster};

/// A project's failure clusters.
#[server]
pub async fn get_clusters(project: String) -> Result<ClusterList, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.clusters(&caller, &project).await;
    crate::backend::answer(&caller, result)
}

/// One failure cluster with its tests and jobs.
#[server]
pub async fn get_cluster(project: String, id: i64) -> Result<ClusterDetail, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.cluster(&caller, &project, id).await;
    crate::backend::answer(&caller, result)
}

/// Names a cluster and attaches a link (members; empty clears).
#[server]
pub async fn rename_cluster(
    csrf: String,
    project: String,
    id: i64,
    name: String,
    link: String,
) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.rename_cluster(&caller, &csrf, &project, id, &name, &link).await;
    crate::backend::answer(&caller, result)
}

/// A job's failures grouped by cluster.
#[server]
pub async fn get_job_clusters(project: String, run: i64, job: i64) -> Result<Vec<JobCluster>, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.job_clusters(&caller, &project, run, job).await;
    crate::backend::answer(&caller, result)
}
