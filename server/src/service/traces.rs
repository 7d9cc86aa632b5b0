//! Trace results as the API and the pages read them, and what reviewers
//! do with them: accept a rendering as the reference, draw ignore regions,
//! export the traces YAML.

use super::access::Access;
use super::read::{self, Ident};
use crate::db::{self, Db, traces as rows};
use crate::error::{ApiError, ApiResult};
use shared::accounts::Role;
use shared::pixeldiff::Region;
use shared::traces::TraceStatus;
use shared::traces::model::{AcceptReferences, JobTraces, StatusCount, TraceDetail, TraceResultView};
use shared::traces::yaml::{self, Expectation};

/// Results of a trace its page shows.
pub const HISTORY_LIMIT: i64 = 100;
/// Most results accepted in one request.
pub const MAX_ACCEPT: usize = 1000;
/// Most ignore regions per trace.
pub const MAX_REGIONS: usize = 100;
/// Longest note kept with an accepted reference.
pub const MAX_NOTE: usize = 4_000;

/// Which of a job's results to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub device: Option<String>,
    pub status: Option<TraceStatus>,
}

/// A job's trace results, mismatches first, then by name and device.
pub async fn job_traces<'a>(
    db: &Db,
    access: &Access,
    project: &str,
    run: impl Into<Ident<'a>>,
    job: impl Into<Ident<'a>>,
    filter: &Filter,
) -> ApiResult<JobTraces> {
    let (_, _, j) = read::job_path(db, access, project, run, job).await?;
    let mut all = rows::job_results(db, j.id).await?;
    all.sort_by(|a, b| (a.status, &a.name, &a.device).cmp(&(b.status, &b.name, &b.device)));
    let mut counts: Vec<StatusCount> = Vec::new();
    for r in &all {
        match counts.iter_mut().find(|c| c.status == r.status) {
            Some(c) => c.count += 1,
            None => counts.push(StatusCount { status: r.status, count: 1 }),
        }
    }
    counts.sort_by_key(|c| c.status);
    let mut devices: Vec<String> = all.iter().map(|r| r.device.clone()).collect();
    devices.sort();
    devices.dedup();
    let results = all
        .into_iter()
        .filter(|r| filter.device.as_ref().is_none_or(|d| &r.device == d))
        .filter(|r| filter.status.is_none_or(|s| r.status == s))
        .collect();
    Ok(JobTraces { results, counts, devices })
}

/// A trace on a device: reference, regions, history and acceptances.
pub async fn detail(db: &Db, access: &Access, slug: &str, id: i64) -> ApiResult<TraceDetail> {
    let p = read::readable(db, access, slug).await?;
    let t = rows::trace(db, p.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("trace #{id} in project '{slug}'")))?;
    let reference_image = match &t.reference_image {
        Some(sha) => rows::image_view(db, sha).await?,
        None => None,
    };
    Ok(TraceDetail {
        id: t.id,
        name: t.name,
        device: t.device,
        reference_checksum: t.reference_checksum,
        reference_image,
        ignore_regions: t.ignore_regions.0,
        history: rows::history(db, t.id, HISTORY_LIMIT).await?,
        references: rows::references(db, t.id).await?,
    })
}

/// One result, within a project the caller may read.
pub async fn result(db: &Db, access: &Access, slug: &str, id: i64) -> ApiResult<TraceResultView> {
    let p = read::readable(db, access, slug).await?;
    rows::result(db, p.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("trace result #{id} in project '{slug}'")))
}

/// Makes the results' renderings the references of their traces (members
/// and up), all or none; each is recorded in the trace's history and the
/// audit log. Answers the results as they now stand.
pub async fn accept(db: &Db, access: &Access, slug: &str, req: &AcceptReferences) -> ApiResult<Vec<TraceResultView>> {
    let p = read::readable(db, access, slug).await?;
    access.require(db, &p, Role::Member).await?;
    if req.results.is_empty() {
        return Err(ApiError::BadRequest("results: name at least one trace result to accept".into()));
    }
    if req.results.len() > MAX_ACCEPT {
        return Err(ApiError::BadRequest(format!("results: at most {MAX_ACCEPT} at once")));
    }
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.len() > MAX_NOTE) {
        return Err(ApiError::BadRequest(format!("note: at most {MAX_NOTE} bytes")));
    }
    let by = access.actor().name.clone();
    let mut ids = req.results.clone();
    ids.sort_unstable();
    ids.dedup();
    let mut tx = db.begin_write().await?;
    let mut runs: Vec<i64> = Vec::new();
    for &id in &ids {
        let accepted = rows::accept(&mut tx, p.id, id, &by, note)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("trace result #{id} in project '{slug}'")))?
            .map_err(|why| ApiError::BadRequest(format!("trace result #{id} {why}: there is no image to accept")))?;
        if accepted.unfailed && !runs.contains(&accepted.run_id) {
            runs.push(accepted.run_id);
        }
        let entry = db::audit::Entry {
            project_id: Some(p.id),
            action: "trace.accept",
            target: format!("{} on {}", accepted.trace, accepted.device),
            detail: Some(format!(
                "reference checksum {} from result #{id}{}",
                accepted.checksum,
                note.map(|n| format!(": {n}")).unwrap_or_default()
            )),
        };
        db::audit::record(&mut tx, &access.actor(), entry).await?;
    }
    for run in runs {
        db::runs::refresh_status(&mut tx, run).await?;
    }
    tx.commit().await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(r) = rows::result(db, p.id, id).await? {
            out.push(r);
        }
    }
    Ok(out)
}

/// Replaces a trace's ignore regions (members and up).
pub async fn set_ignore_regions(
    db: &Db,
    access: &Access,
    slug: &str,
    id: i64,
    regions: &[Region],
) -> ApiResult<Vec<Region>> {
    let p = read::readable(db, access, slug).await?;
    access.require(db, &p, Role::Member).await?;
    let t = rows::trace(db, p.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("trace #{id} in project '{slug}'")))?;
    if regions.len() > MAX_REGIONS {
        return Err(ApiError::BadRequest(format!("regions: at most {MAX_REGIONS}")));
    }
    if let Some((i, _)) = regions.iter().enumerate().find(|(_, r)| r.width == 0 || r.height == 0) {
        return Err(ApiError::BadRequest(format!("regions[{i}]: width and height must be at least 1")));
    }
    let mut tx = db.begin_write().await?;
    rows::set_ignore_regions(&mut tx, t.id, regions).await?;
    let entry = db::audit::Entry {
        project_id: Some(p.id),
        action: "trace.ignore_regions",
        target: format!("{} on {}", t.name, t.device),
        detail: Some(format!("{} regions", regions.len())),
    };
    db::audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(regions.to_vec())
}

/// The project's traces YAML (one device, or all), with the references
/// accepted in Assay: ready to commit to the repository that holds it.
pub async fn export_yaml(db: &Db, access: &Access, slug: &str, device: Option<&str>) -> ApiResult<String> {
    let p = read::readable(db, access, slug).await?;
    let rows = rows::expectations(db, p.id, device).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let label_words: Vec<String> = match &r.label {
            Some(json) => serde_json::from_str(json).map_err(|e| db::decode_error("trace_results.label", e))?,
            None => Vec::new(),
        };
        let status: Option<TraceStatus> =
            r.status.as_deref().map(str::parse).transpose().map_err(|e| db::decode_error("trace_results.status", e))?;
        let label = match status {
            Some(TraceStatus::Skipped) => Some(shared::traces::TraceLabel::Skip),
            Some(TraceStatus::Unsupported) => Some(shared::traces::TraceLabel::Unsupported),
            _ => None,
        };
        let checksum = r.reference_checksum.or(r.reported_checksum);
        if checksum.is_none() && label.is_none() {
            continue;
        }
        let label_words = if label.is_some() && label_words.is_empty() {
            vec![if label == Some(shared::traces::TraceLabel::Skip) { "skip".into() } else { "unsupported".into() }]
        } else if label.is_some() {
            label_words
        } else {
            Vec::new()
        };
        out.push(Expectation {
            trace: r.name,
            device: r.device,
            checksum: if label.is_some() { None } else { checksum },
            text: if label.is_some() { r.text } else { None },
            label,
            label_words,
        });
    }
    Ok(yaml::write(None, &out))
}
