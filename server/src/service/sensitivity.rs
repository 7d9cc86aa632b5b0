//! Regression detection's sensitivity: per-project defaults (project
//! admins) and per-series overrides (members), each change queueing the
//! series concerned for detection again and recorded in the audit log.

use super::access::Access;
use super::alerts::project_settings;
use crate::db::alerts as store;
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use shared::accounts::Role;
use shared::perf::alerts::{ProjectSensitivity, Sensitivity, SeriesOverride, SeriesSensitivity};
use shared::perf::changepoint::Settings;

fn defaults() -> Sensitivity {
    let d = Settings::default();
    Sensitivity { alpha: d.alpha, min_magnitude_pct: d.min_magnitude_pct }
}

pub async fn project(db: &Db, access: &Access, slug: &str) -> ApiResult<ProjectSensitivity> {
    let p = super::read::readable(db, access, slug).await?;
    let custom = store::settings(db, p.id).await?.is_some();
    let s = project_settings(db, p.id).await?;
    Ok(ProjectSensitivity { alpha: s.alpha, min_magnitude_pct: s.min_magnitude_pct, custom, defaults: defaults() })
}

pub async fn set_project(db: &Db, access: &Access, slug: &str, s: &Sensitivity) -> ApiResult<ProjectSensitivity> {
    let p = super::read::readable(db, access, slug).await?;
    access.require(db, &p, Role::Admin).await?;
    super::access::require_writable(&p)?;
    Sensitivity::check(Some(s.alpha), Some(s.min_magnitude_pct)).map_err(ApiError::BadRequest)?;
    let mut tx = db.begin_write().await?;
    store::save_settings(&mut tx, p.id, s.alpha, s.min_magnitude_pct).await?;
    store::queue_project(&mut tx, p.id, db::now()).await?;
    let entry = db::audit::Entry {
        project_id: Some(p.id),
        action: "detection.settings",
        target: p.slug.clone(),
        detail: Some(format!("alpha {}, min magnitude {}%", s.alpha, s.min_magnitude_pct)),
    };
    db::audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    project(db, access, slug).await
}

pub async fn series(db: &Db, access: &Access, id: i64) -> ApiResult<SeriesSensitivity> {
    let (p, _) = super::perf::readable_series(db, access, id).await?;
    let row = store::series_for_analysis(db, id).await?.ok_or_else(|| ApiError::not_found(format!("series #{id}")))?;
    let base = project_settings(db, p.id).await?;
    Ok(SeriesSensitivity {
        series_id: id,
        alpha: row.alpha,
        min_magnitude_pct: row.min_magnitude_pct,
        effective: Sensitivity {
            alpha: row.alpha.unwrap_or(base.alpha),
            min_magnitude_pct: row.min_magnitude_pct.unwrap_or(base.min_magnitude_pct),
        },
    })
}

pub async fn set_series(db: &Db, access: &Access, id: i64, o: &SeriesOverride) -> ApiResult<SeriesSensitivity> {
    let (p, _) = super::perf::readable_series(db, access, id).await?;
    access.require(db, &p, Role::Member).await?;
    super::access::require_writable(&p)?;
    Sensitivity::check(o.alpha, o.min_magnitude_pct).map_err(ApiError::BadRequest)?;
    let now = db::now();
    let mut tx = db.begin_write().await?;
    store::save_series_settings(&mut tx, id, o.alpha, o.min_magnitude_pct).await?;
    store::queue(&mut tx, &[id], now).await?;
    let shown = |v: Option<f64>| v.map_or("the project's".to_owned(), |v| v.to_string());
    let entry = db::audit::Entry {
        project_id: Some(p.id),
        action: "detection.series",
        target: format!("series #{id}"),
        detail: Some(format!("alpha {}, min magnitude {}", shown(o.alpha), shown(o.min_magnitude_pct))),
    };
    db::audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    series(db, access, id).await
}
