use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::perf::SeriesPoints;
use shared::perf::alerts::Alert;

/// Series to draw on one graph, and their alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesView {
    pub series: Vec<SeriesPoints>,
    pub alerts: Vec<Alert>,
}

#[server]
pub async fn get_series(ids: String) -> Result<SeriesView, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    // "3,4": flat, as server functions send their arguments URL-encoded.
    let ids: Vec<i64> = match ids.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::parse).collect() {
        Ok(ids) => ids,
        Err(_) => return Err(AppError::BadRequest(format!("ids: '{ids}' is not a list of series ids"))),
    };
    let result = backend.series_points(&caller, &ids).await.map(|(series, alerts)| SeriesView { series, alerts });
    crate::backend::answer(&caller, result)
}
