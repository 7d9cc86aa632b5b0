//! Failure clusters: a project's list, one cluster with its tests and
//! jobs, a job's failures grouped by cluster, and naming (members,
//! audited). Everything is read from the rows ingest keeps up to date.

use super::access::{Access, require_writable};
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use shared::accounts::Role;
use shared::analytics::wire::{Cluster, ClusterDetail, ClusterList, JobCluster, JobClusterTest, NameCluster};

/// Clusters listed, tests and jobs listed per cluster, failures grouped per job page.
pub const LIST_LIMIT: i64 = 500;
pub const MAX_NAME: usize = 200;
pub const MAX_LINK: usize = 2000;

pub async fn list(db: &Db, access: &Access, slug: &str) -> ApiResult<ClusterList> {
    let p = super::read::readable(db, access, slug).await?;
    let clusters = db::clusters::list(db, p.id, LIST_LIMIT).await?.into_iter().map(|r| r.into_json()).collect();
    Ok(ClusterList { project: p.slug, clusters })
}

pub async fn detail(db: &Db, access: &Access, slug: &str, id: i64) -> ApiResult<ClusterDetail> {
    let p = super::read::readable(db, access, slug).await?;
    let cluster = db::clusters::get(db, p.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("failure cluster #{id} in project '{}'", p.slug)))?;
    let tests = db::clusters::tests(db, id, LIST_LIMIT).await?;
    let jobs = db::clusters::jobs(db, id, LIST_LIMIT).await?;
    let can_name = access.abilities(db, &p).await?.upload;
    Ok(ClusterDetail { project: p.slug, cluster: cluster.into_json(), tests, jobs, can_name })
}

/// A job's failures grouped by cluster, the clusters with most of the
/// job's failures first.
pub async fn for_job<'a>(
    db: &Db,
    access: &Access,
    slug: &str,
    run: impl Into<super::read::Ident<'a>>,
    job: impl Into<super::read::Ident<'a>>,
) -> ApiResult<Vec<JobCluster>> {
    let (_, _, j) = super::read::job_path(db, access, slug, run, job).await?;
    if j.counts.failed + j.counts.errors == 0 {
        return Ok(Vec::new());
    }
    let rows = db::clusters::job_failures(db, j.id, 5000).await?;
    let mut groups: Vec<JobCluster> = Vec::new();
    for r in rows {
        let test = JobClusterTest { result_id: r.result_id, suite: r.suite, classname: r.classname, name: r.test_name };
        match groups.iter_mut().find(|g| g.cluster.id == r.cluster.id) {
            Some(g) => g.tests.push(test),
            None => groups.push(JobCluster { cluster: r.cluster.into_json(), tests: vec![test] }),
        }
    }
    groups.sort_by(|a, b| b.tests.len().cmp(&a.tests.len()).then(a.cluster.id.cmp(&b.cluster.id)));
    Ok(groups)
}

/// Names a cluster and attaches a link (members); empty values clear them.
pub async fn name(db: &Db, access: &Access, slug: &str, id: i64, req: NameCluster) -> ApiResult<Cluster> {
    let p = super::read::readable(db, access, slug).await?;
    access.require(db, &p, Role::Member).await?;
    require_writable(&p)?;
    let name = req.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let link = req.link.as_deref().map(str::trim).filter(|l| !l.is_empty());
    if let Some(n) = name
        && n.chars().count() > MAX_NAME
    {
        return Err(ApiError::BadRequest(format!("name: {} characters, at most {MAX_NAME}", n.chars().count())));
    }
    if let Some(l) = link {
        if l.len() > MAX_LINK {
            return Err(ApiError::BadRequest(format!("link: {} bytes, at most {MAX_LINK}", l.len())));
        }
        let ok = url::Url::parse(l).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            return Err(ApiError::BadRequest(format!("link: '{l}' is not an http(s) URL")));
        }
    }
    let mut tx = db.begin_write().await?;
    let before = db::clusters::get_in(&mut tx, p.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("failure cluster #{id} in project '{}'", p.slug)))?;
    let actor = access.actor();
    db::clusters::name(&mut tx, id, name, link, &actor.name).await?;
    let entry = db::audit::Entry {
        project_id: Some(p.id),
        action: "cluster.name",
        target: format!("cluster #{id}"),
        detail: Some(format!(
            "{} → {}{}",
            before.name.as_deref().unwrap_or("(unnamed)"),
            name.unwrap_or("(unnamed)"),
            link.map(|l| format!(", {l}")).unwrap_or_default()
        )),
    };
    db::audit::record(&mut tx, &actor, entry).await?;
    let after = db::clusters::get_in(&mut tx, p.id, id).await?.ok_or_else(|| ApiError::internal("cluster vanished"))?;
    tx.commit().await?;
    Ok(after.into_json())
}
