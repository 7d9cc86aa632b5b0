use super::{page_param, path_param, query_param};
use crate::api::{RunsView, list_runs};
use crate::components::counts::{CountsBar, CountsFigures};
use crate::components::error_view::ErrorView;
use crate::components::layout::Breadcrumbs;
use crate::components::pager::Pager;
use crate::components::status::RunStatusBadge;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

#[component]
pub fn RunsPage() -> impl IntoView {
    let project = path_param("project");
    let branch = query_param("branch");
    let page = page_param();
    let data = Resource::new(
        move || (project.get(), branch.get(), page.get()),
        |(project, branch, page)| list_runs(project, branch, page),
    );
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Runs view=view branch=branch.get_untracked()/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Runs(view: RunsView, branch: Option<String>) -> impl IntoView {
    let RunsView { project, abilities, runs, branches } = view;
    let slug = project.slug.clone();
    let options = branches
        .into_iter()
        .map(|b| {
            let selected = branch.as_deref() == Some(b.as_str());
            view! { <option value=b.clone() selected=selected>{b.clone()}</option> }
        })
        .collect_view();
    let rows = runs
        .items
        .iter()
        .map(|r| {
            let href = routes::run(&slug, r.id);
            let revision = r.revision.as_deref().map(format::revision);
            view! {
                <tr data-run=r.name.clone()>
                    <td>
                        <a class="run-link" href=href>{r.name.clone()}</a>
                        <div class="muted small">
                            {r.branch.clone().map(|b| view! { <span class="branch">{b}</span> })}
                            {revision.map(|rev| view! { " " <code class="rev">{rev}</code> })}
                            {r.author.clone().map(|a| view! { " by " {a} })}
                        </div>
                    </td>
                    <td><RunStatusBadge status=r.status/></td>
                    <td><CountsFigures counts=r.counts/> <CountsBar counts=r.counts/></td>
                    <td class="num">{r.job_count}</td>
                    <td class="when">{format::time(&r.started_at.unwrap_or(r.created_at))}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = runs.items.is_empty();
    let branch_q = branch.clone();
    let no_branch = branch.is_none();
    let empty_note = branch.map(|b| format!(" on branch {b}"));
    let pager_slug = slug.clone();
    let href = move |page: i64| {
        format!(
            "{}{}",
            routes::project(&pager_slug),
            routes::query(&[("branch", branch_q.clone()), ("page", Some(page.to_string()))])
        )
    };
    view! {
        <Title text=project.name.clone()/>
        <Breadcrumbs items=vec![("Projects".into(), Some("/".into())), (project.name.clone(), None)]/>
        <h1>
            {project.name.clone()}
            {project.archived.then(|| view! { " " <span class="badge skipped">"archived"</span> })}
        </h1>
        <p class="project-links">
            <a href=routes::flaky_tests(&slug) class="flaky-link">"Flaky tests"</a>
            " · " <a href=routes::quarantine(&slug) class="quarantine-link">"Quarantined tests"</a>
            " · " <a href=routes::clusters(&slug) class="clusters-link">"Failure clusters"</a>
            " · " <a href=routes::alerts(&slug) class="alerts-link">"Performance alerts"</a>
            " · " <a href=routes::regressions(&slug) class="regressions-link">"Regressions"</a>
            {abilities.manage.then(|| view! { " · " <a href=routes::settings(&slug) class="settings-link">"Project settings"</a> })}
        </p>
        <Form method="GET" action="">
            <label>
                "Branch "
                <select name="branch">
                    <option value="" selected=no_branch>"all branches"</option>
                    {options}
                </select>
            </label>
            " "
            <button type="submit">"Filter"</button>
        </Form>
        {if empty {
            view! { <p class="empty">"No runs" {empty_note} " yet."</p> }.into_any()
        } else {
            view! {
                <table class="list runs">
                    <thead><tr><th>"Run"</th><th>"Status"</th><th>"Tests"</th><th class="num">"Jobs"</th><th>"Started"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        }}
        <Pager total=runs.total limit=runs.limit offset=runs.offset href=href/>
    }
}
