//! Failure clusters: a project's list (most recently seen first) and one
//! cluster's page with its pattern, the tests and jobs it appeared in
//! (each linked), and for members a form that names it and attaches a
//! link. Works with JavaScript off (links and a plain form post).

use super::{id_param, path_param};
use crate::api::{RenameCluster, get_cluster, get_clusters};
use crate::components::cluster::{ClusterName, ClusterReach};
use crate::components::error_view::ErrorView;
use crate::components::forms::FormError;
use crate::components::layout::Breadcrumbs;
use crate::components::session::CsrfField;
use crate::error::AppError;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::analytics::wire::{Cluster, ClusterDetail, ClusterList};

fn first_line(c: &Cluster) -> String {
    let text = c.example.as_deref().unwrap_or(&c.pattern);
    format::first_line(text, 160)
}

#[component]
pub fn ClustersPage() -> impl IntoView {
    let project = path_param("project");
    let data = Resource::new(move || project.get(), get_clusters);
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) => view! { <Clusters list=list/> }.into_any(),
                    Err(e) => view! { <Title text="Failure clusters"/> <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Clusters(list: ClusterList) -> impl IntoView {
    let slug = list.project.clone();
    let empty = list.clusters.is_empty();
    let rows = list
        .clusters
        .into_iter()
        .map(|c| {
            let line = first_line(&c);
            view! {
                <tr class="cluster-row" data-cluster=c.id.to_string()>
                    <td><ClusterName cluster=c.clone() slug=slug.clone()/><pre class="failure-summary">{line}</pre></td>
                    <td class="num">{c.tests}</td>
                    <td class="num">{c.jobs}</td>
                    <td class="num">{c.failures}</td>
                    <td><a href=routes::run(&slug, c.first_run_id)>{c.first_run.clone()}</a></td>
                    <td><a href=routes::job(&slug, c.last_run_id, c.last_job_id)>{c.last_run.clone()}</a>
                        <div class="muted small">{format::time(&c.last_seen_at)}</div></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("Failure clusters · {slug}")/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (slug.clone(), Some(routes::project(&slug))),
            ("Failure clusters".into(), None),
        ]/>
        <h1>"Failure clusters"</h1>
        <p class="muted">
            "Failures grouped by their type, summary and top stack frames, with numbers, ids, temporary paths, timestamps and quoted values masked."
        </p>
        {if empty {
            view! { <p class="empty">"No failures yet."</p> }.into_any()
        } else {
            view! {
                <table class="list clusters">
                    <thead><tr>
                        <th>"Failure"</th><th class="num">"Tests"</th><th class="num">"Jobs"</th><th class="num">"Failures"</th>
                        <th>"Since"</th><th>"Last seen"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any()
        }}
    }
}

#[component]
pub fn ClusterPage() -> impl IntoView {
    let project = path_param("project");
    let id = id_param("id");
    let rename = ServerAction::<RenameCluster>::new();
    let data = Resource::new(
        move || (project.get(), id.get(), rename.version().get()),
        |(project, id, _)| async move {
            match id {
                Some(id) => get_cluster(project, id).await,
                None => Err(AppError::NotFound("failure cluster not found".into())),
            }
        },
    );
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <ClusterView detail=d rename=rename/> }.into_any(),
                    Err(e) => view! { <Title text="Failure cluster"/> <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ClusterView(detail: ClusterDetail, rename: ServerAction<RenameCluster>) -> impl IntoView {
    let ClusterDetail { project: slug, cluster: c, tests, jobs, can_name } = detail;
    let title = c.name.clone().unwrap_or_else(|| format!("Failure cluster #{}", c.id));
    let test_rows = tests
        .into_iter()
        .map(|t| {
            let path = [t.suite.as_str(), t.classname.as_str()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" › ");
            view! {
                <tr class="cluster-test">
                    <td><a class="test-link" href=routes::test(&slug, t.last_run_id, t.last_job_id, t.last_result_id)>{t.name.clone()}</a>
                        <div class="muted small">{path}</div></td>
                    <td class="num">{t.failures}</td>
                    <td><a href=routes::run(&slug, t.last_run_id)>{t.last_run.clone()}</a></td>
                </tr>
            }
        })
        .collect_view();
    let job_rows = jobs
        .into_iter()
        .map(|j| {
            view! {
                <tr class="cluster-job">
                    <td><a href=routes::run(&slug, j.run_id)>{j.run.clone()}</a></td>
                    <td><a class="job-link" href=routes::job(&slug, j.run_id, j.job_id)>{j.job_name.clone()}</a></td>
                    <td class="num">{j.failures}</td>
                    <td class="when">{format::time(&j.seen_at)}</td>
                </tr>
            }
        })
        .collect_view();
    let named = c.named_by.clone().map(|by| {
        view! { <p class="muted small">{format!("Named by {by}")} {c.named_at.map(|t| format!(" · {}", format::time(&t)))}</p> }
    });
    view! {
        <Title text=title.clone()/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (slug.clone(), Some(routes::project(&slug))),
            ("Failure clusters".into(), Some(routes::clusters(&slug))),
            (title.clone(), None),
        ]/>
        <h1 class="cluster-title">{title.clone()}</h1>
        <p class="cluster-summary">
            {format!("{} failures ", c.failures)} <ClusterReach cluster=c.clone() slug=slug.clone()/>
            {format!("; last seen {}", format::time(&c.last_seen_at))}
        </p>
        {c.link.clone().map(|l| view! { <p><a class="cluster-external" href=l.clone() rel="noopener noreferrer">{l.clone()}</a></p> })}
        {named}
        {c.example.clone().map(|e| view! { <h2>"Example"</h2><pre class="failure-summary">{e}</pre> })}
        <h2>"Signature"</h2>
        <pre class="cluster-pattern">{c.pattern.clone()}</pre>
        {can_name.then(|| view! {
            <h2>"Name and link"</h2>
            <div class="name-cluster">
            <ActionForm action=rename>
                <CsrfField/>
                <input type="hidden" name="project" value=slug.clone()/>
                <input type="hidden" name="id" value=c.id.to_string()/>
                <label>"Name " <input name="name" maxlength="200" value=c.name.clone().unwrap_or_default()/></label>
                " "
                <label>"Link " <input name="link" type="url" maxlength="2000" placeholder="https://bugs.example.com/123" value=c.link.clone().unwrap_or_default()/></label>
                " "
                <button type="submit">"Save"</button>
            </ActionForm>
            </div>
            <FormError action=rename/>
        })}
        <h2>"Tests"</h2>
        <table class="list cluster-tests">
            <thead><tr><th>"Test"</th><th class="num">"Failures"</th><th>"Last failed in"</th></tr></thead>
            <tbody>{test_rows}</tbody>
        </table>
        <h2>"Jobs"</h2>
        <table class="list cluster-jobs">
            <thead><tr><th>"Run"</th><th>"Job"</th><th class="num">"Failures"</th><th>"When"</th></tr></thead>
            <tbody>{job_rows}</tbody>
        </table>
    }
}
