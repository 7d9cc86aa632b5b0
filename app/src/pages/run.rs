use super::{id_param, path_param};
use crate::api::get_run;
use crate::components::counts::{CountsBar, CountsFigures};
use crate::components::error_view::ErrorView;
use crate::components::layout::Breadcrumbs;
use crate::components::status::{JobResultBadge, RunStatusBadge};
use crate::error::AppError;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::model::RunDetail;

#[component]
pub fn RunPage() -> impl IntoView {
    let project = path_param("project");
    let run = id_param("run");
    let data = Resource::new(
        move || (project.get(), run.get()),
        |(project, run)| async move {
            match run {
                Some(run) => get_run(project, run).await,
                None => Err(AppError::NotFound("run not found".into())),
            }
        },
    );
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(detail) => view! { <Run detail=detail/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Run(detail: RunDetail) -> impl IntoView {
    let RunDetail { run, jobs, previous_run_id } = detail;
    let slug = run.project.clone();
    let rows = jobs
        .iter()
        .map(|j| {
            let href = routes::job(&slug, run.id, j.id);
            let pick = (j.perf_metrics > 0).then(|| {
                let label = format!("compare {}", j.name);
                view! { <input type="checkbox" name="job" value=j.id.to_string() aria-label=label/> }
            });
            view! {
                <tr data-job=j.key.clone()>
                    <td class="pick">{pick}</td>
                    <td><a class="job-link" href=href>{j.name.clone()}</a>
                        {(j.name != j.key).then(|| view! { <div class="muted small">{j.key.clone()}</div> })}
                        {(!j.labels.is_empty()).then(|| view! { <div class="job-labels small">{j.labels.join(", ")}</div> })}
                    </td>
                    <td>{j.platform.clone().unwrap_or_default()}</td>
                    <td>{j.machine.clone().unwrap_or_default()}</td>
                    <td><JobResultBadge result=j.effective_result state=j.state/></td>
                    <td><CountsFigures counts=j.counts/> <CountsBar counts=j.counts/></td>
                    <td class="num">{format::duration(j.counts.duration_s)}</td>
                    <td class="num">{(j.perf_metrics > 0).then(|| format!("{} tests, {} metrics", j.perf_tests, j.perf_metrics))}</td>
                </tr>
            }
        })
        .collect_view();
    let comparable = jobs.iter().filter(|j| j.perf_metrics > 0).count();
    let title = format!("{} · {}", run.name, run.project);
    view! {
        <Title text=title/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (run.project.clone(), Some(routes::project(&run.project))),
            (run.name.clone(), None),
        ]/>
        <h1>{run.name.clone()} " " <RunStatusBadge status=run.status/></h1>
        <dl class="meta">
            {run.branch.clone().map(|b| view! { <dt>"Branch"</dt><dd class="branch">{b}</dd> })}
            {run.revision.clone().map(|r| view! { <dt>"Revision"</dt><dd><code title=r.clone()>{format::revision(&r)}</code></dd> })}
            {run.author.clone().map(|a| view! { <dt>"Author"</dt><dd>{a}</dd> })}
            {run.url.clone().map(|u| {
                let text = u.clone();
                view! { <dt>"CI"</dt><dd><a href=u rel="external nofollow">{text}</a></dd> }
            })}
            <dt>"Started"</dt><dd>{format::time(&run.started_at.unwrap_or(run.created_at))}</dd>
        </dl>
        <p class="summary"><CountsFigures counts=run.counts/> <CountsBar counts=run.counts/></p>
        <p>
            {match previous_run_id {
                Some(prev) => view! {
                    <a class="compare-previous-run" href=routes::compare_runs(prev, run.id)>"Compare tests with the previous run on this branch"</a>
                }
                .into_any(),
                None => view! { <span class="muted">"No earlier run on this branch to compare tests with."</span> }.into_any(),
            }}
        </p>
        <h2>"Jobs"</h2>
        {if jobs.is_empty() {
            view! { <p class="empty">"No jobs in this run yet."</p> }.into_any()
        } else {
            // Jobs with perf results can be ticked and compared (a GET form:
            // /compare?job=1&job=2, with JavaScript or without).
            view! {
                <form method="get" action="/compare" class="compare-jobs">
                    <table class="list jobs">
                        <thead><tr><th class="pick"></th><th>"Job"</th><th>"Platform"</th><th>"Machine"</th><th>"Result"</th><th>"Tests"</th><th class="num">"Test time"</th><th class="num">"Performance"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    {(comparable >= 2).then(|| view! { <button type="submit">"Compare selected jobs"</button> })}
                </form>
            }
            .into_any()
        }}
    }
}
