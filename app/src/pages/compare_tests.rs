//! Two jobs' or two runs' tests compared: new failures, fixed, still
//! failing (and since when), newly skipped, added, removed and the largest
//! duration changes, each counted and listed with links to both results.
//! Runs are picked with a GET form: the page works the same with
//! JavaScript off.

use crate::api::get_test_comparison;
use crate::components::error_view::ErrorView;
use crate::components::layout::Breadcrumbs;
use crate::components::status::TestStatusBadge;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use shared::analytics::wire::{ComparedSide, DiffResult, DiffTest, TestComparison};
use shared::model::RunSummary;

fn id(q: &leptos_router::params::ParamsMap, name: &str) -> Option<i64> {
    q.get(name).and_then(|v| v.trim().parse().ok())
}

#[component]
pub fn CompareTestsPage() -> impl IntoView {
    let query = use_query_map();
    let sides = Memo::new(move |_| {
        let q = query.read();
        (id(&q, "base"), id(&q, "head"), id(&q, "base_run"), id(&q, "head_run"))
    });
    let data = Resource::new(
        move || sides.get(),
        |(base, head, base_run, head_run)| get_test_comparison(base, head, base_run, head_run),
    );
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => {
                        // Two jobs were asked for, or two runs.
                        let by_job = sides.get_untracked().0.is_some();
                        view! { <Comparison comparison=v.comparison runs=v.runs by_job=by_job/> }.into_any()
                    }
                    Err(e) => view! { <Title text="Compare tests"/> <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn side_label(side: &ComparedSide, by_job: bool) -> String {
    match (by_job, side.jobs.first()) {
        (true, Some(j)) => format!("{} · {}", side.run, j.name),
        _ => side.run.clone(),
    }
}

#[component]
fn Comparison(comparison: TestComparison, runs: Vec<RunSummary>, by_job: bool) -> impl IntoView {
    let c = comparison;
    let slug = c.project.clone();
    let title = format!("Tests: {} → {}", side_label(&c.base, by_job), side_label(&c.head, by_job));
    let n = c.counts;
    let groups: Vec<(&'static str, &'static str, i64, Vec<DiffTest>)> = vec![
        ("new-failures", "New failures", n.new_failures, c.new_failures),
        ("fixed", "Fixed", n.fixed, c.fixed),
        ("still-failing", "Still failing", n.still_failing, c.still_failing),
        ("newly-skipped", "Newly skipped", n.newly_skipped, c.newly_skipped),
        ("added", "Added tests", n.added, c.added),
        ("removed", "Removed tests", n.removed, c.removed),
        ("durations", "Duration changes", n.slower + n.faster, c.durations),
    ];
    let summary = groups
        .iter()
        .map(|(anchor, label, count, _)| {
            view! {
                <li class=format!("diff-count {anchor}") data-count=count.to_string()>
                    <a href=format!("#{anchor}")><strong>{count.to_string()}</strong> " " {label.to_lowercase()}</a>
                </li>
            }
        })
        .collect_view();
    let limit = c.limit;
    let sections = groups
        .into_iter()
        .map(|(anchor, label, count, tests)| {
            view! { <Group anchor=anchor label=label count=count tests=tests slug=slug.clone() limit=limit/> }
        })
        .collect_view();
    let side = |s: &ComparedSide| {
        let href = match (by_job, s.jobs.first()) {
            (true, Some(j)) => routes::job(&slug, s.run_id, j.id),
            _ => routes::run(&slug, s.run_id),
        };
        let rev = s.revision.clone().map(|r| view! { " " <code title=r.clone()>{format::revision(&r)}</code> });
        view! { <a href=href>{side_label(s, by_job)}</a> {rev} }
    };
    let picker = (!by_job).then(|| view! { <RunPicker runs=runs base=c.base.run_id head=c.head.run_id/> });
    view! {
        <Title text=title.clone()/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (c.project.clone(), Some(routes::project(&c.project))),
            (c.head.run.clone(), Some(routes::run(&c.project, c.head.run_id))),
            ("Compare tests".into(), None),
        ]/>
        <h1>{title}</h1>
        <p class="sides">
            "Base " <span class="base">{side(&c.base)}</span>
            " → head " <span class="head">{side(&c.head)}</span>
            {format!(" · {} tests on both sides", n.compared)}
        </p>
        <ul class="diff-summary">{summary}</ul>
        {picker}
        {sections}
    }
    .into_any()
}

/// Any two of the project's recent runs.
#[component]
fn RunPicker(runs: Vec<RunSummary>, base: i64, head: i64) -> impl IntoView {
    let options = move |selected: i64| {
        runs.iter()
            .map(|r| {
                let label = match &r.branch {
                    Some(b) => format!("{} ({b})", r.name),
                    None => r.name.clone(),
                };
                view! { <option value=r.id.to_string() selected=r.id == selected>{label}</option> }
            })
            .collect_view()
    };
    let (base_options, head_options) = (options(base), options(head));
    view! {
        <form method="get" action="/compare/tests" class="pick-runs">
            <label>"Base run " <select name="base_run">{base_options}</select></label>
            " "
            <label>"Head run " <select name="head_run">{head_options}</select></label>
            " "
            <button type="submit">"Compare"</button>
        </form>
    }
}

fn result_cell(slug: &str, r: Option<&DiffResult>) -> AnyView {
    match r {
        Some(r) => view! {
            <a href=routes::test(slug, r.run_id, r.job_id, r.result_id)><TestStatusBadge status=r.status/></a>
            " " <span class="muted small">{format::opt_duration(r.duration_s)}</span>
        }
        .into_any(),
        None => view! { <span class="muted">"absent"</span> }.into_any(),
    }
}

#[component]
fn Group(
    anchor: &'static str,
    label: &'static str,
    count: i64,
    tests: Vec<DiffTest>,
    slug: String,
    limit: i64,
) -> impl IntoView {
    if count == 0 {
        return view! {
            <section id=anchor class=format!("diff-group {anchor}")>
                <h2>{format!("{label} (0)")}</h2>
            </section>
        }
        .into_any();
    }
    let shown = tests.len();
    let rows = tests
        .into_iter()
        .map(|t| {
            let path = [t.suite.as_str(), t.classname.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" › ");
            let link = t.head.as_ref().or(t.base.as_ref()).map(|r| routes::test(&slug, r.run_id, r.job_id, r.result_id));
            let summary = t.head.as_ref().and_then(|r| r.summary.clone()).or(t.base.as_ref().and_then(|r| r.summary.clone()));
            let since = t.failing_since.clone().map(|s| {
                if s.new {
                    view! { <span class="failure-mark new">"new"</span> }.into_any()
                } else {
                    view! {
                        <span class="failure-mark known">"failing since " <a href=routes::run(&slug, s.run_id)>{s.run}</a></span>
                    }
                    .into_any()
                }
            });
            let change = t.duration_change_s.map(|d| {
                let sign = if d > 0.0 { "+" } else { "−" };
                format!("{sign}{}", format::duration(d.abs()))
            });
            let name = if t.name.is_empty() { "(unnamed)".to_owned() } else { t.name.clone() };
            view! {
                <tr class="diff-test" data-name=t.name.clone()>
                    <td>
                        {match link {
                            Some(href) => view! { <a class="test-link" href=href>{name}</a> }.into_any(),
                            None => view! { <span>{name}</span> }.into_any(),
                        }}
                        <div class="muted small">{path}</div>
                        {summary.map(|s| view! { <pre class="failure-summary">{s}</pre> })}
                    </td>
                    <td>{t.job_key.clone()}</td>
                    <td>{result_cell(&slug, t.base.as_ref())}</td>
                    <td>{result_cell(&slug, t.head.as_ref())}</td>
                    <td class="num">{change}</td>
                    <td>{since}</td>
                </tr>
            }
        })
        .collect_view();
    let more = (shown as i64) < count;
    view! {
        <section id=anchor class=format!("diff-group {anchor}")>
            <h2>{format!("{label} ({count})")}</h2>
            <table class="list diff">
                <thead><tr><th>"Test"</th><th>"Job"</th><th>"Base"</th><th>"Head"</th><th class="num">"Time change"</th><th>"Failing"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {more.then(|| view! { <p class="muted">{format!("The first {shown} of {count} (at most {limit} per group); the API lists up to 1,000.")}</p> })}
        </section>
    }
    .into_any()
}
