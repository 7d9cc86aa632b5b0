//! Writes through the API: projects, runs, jobs. Each checks the caller's
//! role, runs in one transaction with the run's derived status kept
//! current, and records itself in the audit log in that transaction.
//!
//! The cores (`…_in`) take the caller's transaction, so that a front door
//! can store run, job and results at once; the plain functions are thin
//! wrappers that check permissions, begin and commit.

use super::access::{Access, require_writable};
use super::read::{self, Ident};
use crate::db::audit::{self, Actor, Entry};
use crate::db::rows::{JobRow, ProjectRow, RunRow};
use crate::db::uploads::Target;
use crate::db::{self, Db, Tx};
use crate::error::{ApiError, ApiResult};
use crate::ingest::Place;
use axum::http::HeaderMap;
use shared::accounts::Role;
use shared::model::{CreateJob, CreateRun, UpdateJob};
use shared::validate;

/// Creates a project (instance admins, and the command line).
pub async fn create_project(db: &Db, access: &Access, slug: &str, name: Option<&str>) -> ApiResult<ProjectRow> {
    access.require_instance_admin()?;
    validate::slug(slug).map_err(ApiError::BadRequest)?;
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(slug);
    validate::name("project name", name).map_err(ApiError::BadRequest)?;
    let mut tx = db.begin_write().await?;
    let p = match db::projects::create(&mut tx, slug, name).await {
        Ok(p) => p,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(ApiError::Conflict(format!("project '{slug}' already exists")));
        }
        Err(e) => return Err(e.into()),
    };
    let entry = Entry {
        project_id: Some(p.id),
        action: "project.create",
        target: p.slug.clone(),
        detail: Some(p.name.clone()),
    };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(p)
}

fn check_run(req: &CreateRun) -> ApiResult<()> {
    validate::name("run name", &req.name).map_err(ApiError::BadRequest)?;
    for (field, value, max) in [
        ("revision", &req.revision, 255),
        ("branch", &req.branch, 255),
        ("author", &req.author, 255),
        ("url", &req.url, 2048),
    ] {
        validate::optional(field, value.as_deref(), max).map_err(ApiError::BadRequest)?;
    }
    if let Some(url) = &req.url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(ApiError::BadRequest(format!("url must be an http(s) URL, got '{url}'")));
    }
    Ok(())
}

/// A project the caller may write to (member or more, not archived).
pub async fn writable(db: &Db, access: &Access, slug: &str) -> ApiResult<ProjectRow> {
    let p = read::project(db, slug).await?;
    access.require(db, &p, Role::Member).await?;
    require_writable(&p)?;
    Ok(p)
}

/// Creates the run, or returns the one with that name (`created` false).
/// A repeated request must agree with the stored revision and branch:
/// two different commits under one run name is a client bug worth a 409.
pub async fn create_run(
    db: &Db,
    access: &Access,
    slug: &str,
    req: &CreateRun,
) -> ApiResult<(ProjectRow, RunRow, bool)> {
    let project = writable(db, access, slug).await?;
    let mut tx = db.begin_write().await?;
    let (row, created) = create_run_in(&mut tx, &access.actor(), &project, req).await?;
    tx.commit().await?;
    Ok((project, row, created))
}

/// [`create_run`] in the caller's transaction, for a front door that
/// stores run, job and results at once. The caller has checked that the
/// actor may write to `project`.
pub async fn create_run_in(
    tx: &mut Tx,
    actor: &Actor,
    project: &ProjectRow,
    req: &CreateRun,
) -> ApiResult<(RunRow, bool)> {
    check_run(req)?;
    let (row, created) = db::runs::insert_or_get(tx, project.id, req).await?;
    if created {
        let entry =
            Entry { project_id: Some(project.id), action: "run.create", target: row.name.clone(), detail: None };
        audit::record(tx, actor, entry).await?;
        return Ok((row, true));
    }
    for (field, stored, asked) in [("revision", &row.revision, &req.revision), ("branch", &row.branch, &req.branch)] {
        if let (Some(stored), Some(asked)) = (stored, asked)
            && stored != asked
        {
            return Err(ApiError::Conflict(format!(
                "run '{}' already exists with {field} '{stored}', not '{asked}'",
                row.name
            )));
        }
    }
    let filled = filled(&[
        ("revision", row.revision.is_none() && req.revision.is_some()),
        ("branch", row.branch.is_none() && req.branch.is_some()),
        ("author", row.author.is_none() && req.author.is_some()),
        ("url", row.url.is_none() && req.url.is_some()),
        ("started_at", row.started_at.is_none() && req.started_at.is_some()),
    ]);
    if filled.is_none() {
        return Ok((row, false));
    }
    let row = db::runs::fill_missing(tx, row.id, req).await?;
    let entry = Entry { project_id: Some(project.id), action: "run.update", target: row.name.clone(), detail: filled };
    audit::record(tx, actor, entry).await?;
    Ok((row, false))
}

/// For the audit log: which fields a repeated create filled in (`None`:
/// none, and nothing is written).
fn filled(fields: &[(&str, bool)]) -> Option<String> {
    let names: Vec<&str> = fields.iter().filter(|(_, f)| *f).map(|(n, _)| *n).collect();
    (!names.is_empty()).then(|| format!("filled in {}", names.join(", ")))
}

fn check_job(req: &CreateJob) -> ApiResult<()> {
    validate::name("job key", &req.key).map_err(ApiError::BadRequest)?;
    if let Some(name) = &req.name {
        validate::name("job name", name).map_err(ApiError::BadRequest)?;
    }
    validate::optional("platform", req.platform.as_deref(), 255).map_err(ApiError::BadRequest)?;
    validate::optional("machine", req.machine.as_deref(), 255).map_err(ApiError::BadRequest)?;
    if let Some(labels) = &req.labels {
        if labels.len() > 50 {
            return Err(ApiError::BadRequest("at most 50 labels per job".into()));
        }
        for l in labels {
            validate::name("label", l).map_err(ApiError::BadRequest)?;
        }
    }
    Ok(())
}

/// Creates the job, or returns the one with that key (`created` false).
/// Use PATCH to change an existing job's state or result.
pub async fn create_job(
    db: &Db,
    access: &Access,
    slug: &str,
    run: Ident<'_>,
    req: &CreateJob,
) -> ApiResult<(JobRow, bool)> {
    let project = writable(db, access, slug).await?;
    let run = read::run_row(db, &project, run).await?;
    let mut tx = db.begin_write().await?;
    let out = create_job_in(&mut tx, &access.actor(), &project, &run, req).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`create_job`] in the caller's transaction (see [`create_run_in`]).
pub async fn create_job_in(
    tx: &mut Tx,
    actor: &Actor,
    project: &ProjectRow,
    run: &RunRow,
    req: &CreateJob,
) -> ApiResult<(JobRow, bool)> {
    check_job(req)?;
    let (row, created) = db::jobs::insert_or_get(tx, project.id, run.id, req).await?;
    let row = if created {
        let entry = Entry {
            project_id: Some(project.id),
            action: "job.create",
            target: format!("{} / {}", run.name, row.key),
            detail: None,
        };
        audit::record(tx, actor, entry).await?;
        row
    } else {
        let filled = filled(&[
            ("platform", row.platform.is_none() && req.platform.is_some()),
            ("machine", row.machine.is_none() && req.machine.is_some()),
            ("started_at", row.started_at.is_none() && req.started_at.is_some()),
            ("finished_at", row.finished_at.is_none() && req.finished_at.is_some()),
        ]);
        if filled.is_none() {
            return Ok((row, false));
        }
        let row = db::jobs::fill_missing(tx, row.id, req).await?;
        let target = format!("{} / {}", run.name, row.key);
        let entry = Entry { project_id: Some(project.id), action: "job.update", target, detail: filled };
        audit::record(tx, actor, entry).await?;
        row
    };
    db::runs::refresh_status(tx, run.id).await?;
    Ok((row, created))
}

pub async fn update_job(
    db: &Db,
    access: &Access,
    slug: &str,
    run: Ident<'_>,
    job: Ident<'_>,
    req: &UpdateJob,
) -> ApiResult<JobRow> {
    let project = writable(db, access, slug).await?;
    let run = read::run_row(db, &project, run).await?;
    let job = read::job_row(db, &run, job).await?;
    let mut tx = db.begin_write().await?;
    let row = update_job_in(&mut tx, &access.actor(), &project, &run, &job, req).await?;
    tx.commit().await?;
    Ok(row)
}

/// [`update_job`] in the caller's transaction (see [`create_run_in`]).
pub async fn update_job_in(
    tx: &mut Tx,
    actor: &Actor,
    project: &ProjectRow,
    run: &RunRow,
    job: &JobRow,
    req: &UpdateJob,
) -> ApiResult<JobRow> {
    if req == &UpdateJob::default() {
        return Err(ApiError::BadRequest(
            "nothing to update: give at least one of state, result, started_at, finished_at".into(),
        ));
    }
    let row = db::jobs::update(tx, job.id, req).await?;
    db::runs::refresh_status(tx, run.id).await?;
    let detail = serde_json::to_string(req).ok();
    let entry = Entry {
        project_id: Some(project.id),
        action: "job.update",
        target: format!("{} / {}", run.name, job.key),
        detail,
    };
    audit::record(tx, actor, entry).await?;
    Ok(row)
}

/// Where an upload to a job goes, for a caller who may write to its
/// project: the project, and the place for the ingest pipeline.
pub async fn upload_place(
    db: &Db,
    access: &Access,
    slug: &str,
    run: Ident<'_>,
    job: Ident<'_>,
) -> ApiResult<(ProjectRow, Place)> {
    let project = writable(db, access, slug).await?;
    let run = read::run_row(db, &project, run).await?;
    let job = read::job_row(db, &run, job).await?;
    let target = Target { project_id: project.id, run_id: run.id, job_id: job.id };
    Ok((project, Place { target, label: format!("{} / {}", run.name, job.key) }))
}

/// The caller of an upload again, once its body has arrived: a large
/// upload takes a while, and the project may have been archived, or the
/// caller's role taken away, in the meantime.
pub async fn recheck_writer(db: &Db, headers: &HeaderMap, slug: &str) -> ApiResult<Access> {
    let access = Access::resolve(db, headers).await?;
    access.check_write(headers, None)?;
    writable(db, &access, slug).await?;
    Ok(access)
}
