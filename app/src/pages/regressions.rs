//! Regression tags, as PerfTracker groups them: the jobs uploaded with the
//! same tag (a release candidate's runs, say), with their first and last
//! job and the time between, and one link comparing them all.

use super::path_param;
use crate::api::{RegressionsView, list_regressions};
use crate::components::error_view::ErrorView;
use crate::components::layout::Breadcrumbs;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::perf::regressions::{Regression, TaggedJob, span_label};

/// A project's regression tags.
#[component]
pub fn RegressionsPage() -> impl IntoView {
    let project = path_param("project");
    let data = Resource::new(move || project.get(), |p| async move { list_regressions(p, None).await });
    view! {
        <Transition fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <Regressions view=v/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Regressions(view: RegressionsView) -> impl IntoView {
    let RegressionsView { project, regressions } = view;
    let slug = project.slug.clone();
    let empty = regressions.is_empty();
    let rows = regressions
        .into_iter()
        .map(|r| {
            let href = routes::regression(&slug, &r.tag);
            let first = r.first().map(job_label).unwrap_or_default();
            let last = r.last().map(job_label).unwrap_or_default();
            view! {
                <tr data-tag=r.tag.clone()>
                    <td><a href=href>{r.tag.clone()}</a></td>
                    <td class="num">{r.jobs.len()}</td>
                    <td>{first}</td>
                    <td>{last}</td>
                    <td class="num">{span_label(r.span_seconds())}</td>
                    <td><a href=r.compare_href()>"compare"</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("Regressions · {}", project.name)/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (project.name.clone(), Some(routes::project(&slug))),
            ("Regressions".into(), None),
        ]/>
        <h1>"Regressions"</h1>
        {if empty {
            view! {
                <p class="empty">
                    "No regression tags yet. Jobs uploaded with one (PerfTracker's --pt-regression-tag, or "
                    <code>"regression"</code> " in Assay's JSON) are grouped here."
                </p>
            }.into_any()
        } else {
            view! {
                <table class="list regressions">
                    <thead><tr>
                        <th>"Tag"</th><th class="num">"Jobs"</th><th>"First job"</th><th>"Last job"</th>
                        <th class="num">"Time range"</th><th></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any()
        }}
    }
}

fn job_label(j: &TaggedJob) -> String {
    format!("{} · {}", j.run, format::time(&j.at))
}

/// One regression tag's jobs.
#[component]
pub fn RegressionPage() -> impl IntoView {
    let project = path_param("project");
    let tag = path_param("tag");
    let data =
        Resource::new(move || (project.get(), tag.get()), |(p, t)| async move { list_regressions(p, Some(t)).await });
    view! {
        <Transition fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <RegressionDetail view=v tag=tag.get_untracked()/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RegressionDetail(view: RegressionsView, tag: String) -> impl IntoView {
    let RegressionsView { project, regressions } = view;
    let slug = project.slug.clone();
    let crumbs = vec![
        ("Projects".into(), Some("/".into())),
        (project.name.clone(), Some(routes::project(&slug))),
        ("Regressions".into(), Some(routes::regressions(&slug))),
        (tag.clone(), None),
    ];
    let Some(r) = regressions.into_iter().next() else {
        return view! {
            <Title text=format!("Regression {tag}")/>
            <Breadcrumbs items=crumbs/>
            <h1>{format!("Regression {tag}")}</h1>
            <p class="empty">"No job carries this regression tag."</p>
        }
        .into_any();
    };
    let Regression { tag, jobs } = r.clone();
    let first = r.first().map(job_label).unwrap_or_default();
    let last = r.last().map(job_label).unwrap_or_default();
    let baseline_vs_last = match (r.first(), r.last()) {
        (Some(a), Some(b)) if a.job_id != b.job_id => Some(format!("/compare?jobs={},{}", a.job_id, b.job_id)),
        _ => None,
    };
    let rows = jobs
        .into_iter()
        .map(|j| {
            view! {
                <tr data-job=j.job_id.to_string()>
                    <td><a href=routes::job(&slug, j.run_id, j.job_id)>{j.run.clone()}</a></td>
                    <td>{j.job.clone()}</td>
                    <td>{j.revision.clone().unwrap_or_default()}</td>
                    <td>{j.machine.clone().unwrap_or_default()}</td>
                    <td class=format!("result {}", j.result)>{j.result.clone()}</td>
                    <td class="num">{j.perf_tests}</td>
                    <td>{format::time(&j.at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("Regression {tag}")/>
        <Breadcrumbs items=crumbs/>
        <h1>{format!("Regression {tag}")}</h1>
        <dl class="facts regression-summary">
            <dt>"Jobs total"</dt><dd class="jobs-total">{r.jobs.len()}</dd>
            <dt>"First job"</dt><dd>{first}</dd>
            <dt>"Last job"</dt><dd>{last}</dd>
            <dt>"Time range"</dt><dd>{span_label(r.span_seconds())}</dd>
        </dl>
        <p class="project-links">
            <a href=r.compare_href() class="compare-all">"Compare all these jobs"</a>
            {baseline_vs_last.map(|h| view! { " · " <a href=h class="compare-ends">"first against last"</a> })}
        </p>
        <table class="list regression-jobs">
            <thead><tr>
                <th>"Run"</th><th>"Job"</th><th>"Version"</th><th>"Machine"</th><th>"Result"</th>
                <th class="num">"Perf tests"</th><th>"When"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
