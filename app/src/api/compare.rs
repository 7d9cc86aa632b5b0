use crate::error::AppError;
use leptos::prelude::*;
use shared::perf::compare::Comparison;

/// Jobs' perf results side by side: `jobs` is "12,15[,…]", the first the
/// baseline. (Flat arguments: server functions send them URL-encoded.)
#[server]
pub async fn get_compare(
    jobs: String,
    only: Option<String>,
    group: Option<String>,
    category: Option<String>,
    name: Option<String>,
    sort: Option<String>,
    desc: Option<bool>,
) -> Result<Comparison, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let params = shared::perf::compare::ViewParams { only, group, category, name, sort, desc };
    let result = backend.compare(&caller, &jobs, &params).await;
    crate::backend::answer(&caller, result)
}
