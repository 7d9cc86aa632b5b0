use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::model::JobDetail;

/// The job page's data: the job, with its Treeherder section and its log
/// errors rendered to HTML by the server. The browser only places those
/// strings, so the WASM carries neither their types' deserializers nor
/// their renderers (the job page is the heaviest first page).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobView {
    /// The job, without `treeherder` and `logs` (rendered below).
    pub detail: JobDetail,
    pub treeherder_html: Option<String>,
    pub logs_html: Option<String>,
}

#[server]
pub async fn get_job(project: String, run: i64, job: i64) -> Result<JobView, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.job(&caller, &project, run, job).await.map(|mut detail| {
        let treeherder_html = detail.treeherder.take().map(|t| t.html());
        let logs = std::mem::take(&mut detail.logs);
        let logs_html = (!logs.is_empty()).then(|| shared::log_errors::logs_html(&logs));
        JobView { detail, treeherder_html, logs_html }
    });
    crate::backend::answer(&caller, result)
}
