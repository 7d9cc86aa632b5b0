use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::perf::SeriesPoints;
use shared::perf::alerts::{Alert, Annotation, SeriesSensitivity};

/// Series to draw on one graph, their alerts, and their project's
/// annotations (and whether the viewer may add some).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesView {
    pub series: Vec<SeriesPoints>,
    pub alerts: Vec<Alert>,
    pub annotations: Vec<Annotation>,
    pub can_annotate: bool,
    /// For a graph of one series: its detection settings.
    pub sensitivity: Option<SeriesSensitivity>,
}

#[server]
pub async fn get_series(ids: String) -> Result<SeriesView, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    // "3,4": flat, as server functions send their arguments URL-encoded.
    let ids: Vec<i64> = match ids.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::parse).collect() {
        Ok(ids) => ids,
        Err(_) => return Err(AppError::BadRequest(format!("ids: '{ids}' is not a list of series ids"))),
    };
    let (series, alerts) = crate::backend::answer(&caller, backend.series_points(&caller, &ids).await)?;
    let (annotations, can_annotate) = match series.first() {
        Some(s) => {
            let project = s.series.project.clone();
            let (_, abilities) = crate::backend::answer(&caller, backend.project(&caller, &project).await)?;
            (crate::backend::answer(&caller, backend.annotations(&caller, &project).await)?, abilities.upload)
        }
        None => (Vec::new(), false),
    };
    let sensitivity = match series.as_slice() {
        [one] => Some(crate::backend::answer(&caller, backend.series_detection(&caller, one.series.id).await)?),
        _ => None,
    };
    Ok(SeriesView { series, alerts, annotations, can_annotate, sensitivity })
}
