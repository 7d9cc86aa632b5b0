//! A project's flaky tests, each with the evidence that caught it: the
//! rule, the failed share and trend of its recent executions, its first
//! and last flake (linked), and when it recovered. Filters and sorting are
//! a GET form and links: the page works the same with JavaScript off.

use super::{path_param, query_param};
use crate::api::get_flaky_tests;
use crate::components::error_view::ErrorView;
use crate::components::layout::Breadcrumbs;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::analytics::flaky::Rule;
use shared::analytics::wire::{FlakyTest, FlakyTests};

#[component]
pub fn FlakyTestsPage() -> impl IntoView {
    let project = path_param("project");
    let state = query_param("state");
    let rule = query_param("rule");
    let q = query_param("q");
    let sort = query_param("sort");
    let data = Resource::new(
        move || (project.get(), state.get(), rule.get(), q.get(), sort.get()),
        |(project, state, rule, q, sort)| get_flaky_tests(project, state, rule, q, sort),
    );
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                let filter = Filter { state: state.get(), rule: rule.get(), q: q.get(), sort: sort.get() };
                match data.await {
                    Ok(list) => view! { <Flaky list=list filter=filter/> }.into_any(),
                    Err(e) => view! { <Title text="Flaky tests"/> <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Filter {
    state: Option<String>,
    rule: Option<String>,
    q: Option<String>,
    sort: Option<String>,
}

impl Filter {
    fn href(&self, slug: &str, sort: &str) -> String {
        format!(
            "{}{}",
            routes::flaky_tests(slug),
            routes::query(&[
                ("state", self.state.clone()),
                ("rule", self.rule.clone()),
                ("q", self.q.clone()),
                ("sort", Some(sort.to_owned())),
            ])
        )
    }
}

fn percent(rate: f64) -> String {
    // Integer formatting: float formatting would grow the WASM.
    format!("{}%", (rate * 100.0).round() as i64)
}

#[component]
fn Trend(trend: String) -> impl IntoView {
    let cells = trend
        .chars()
        .map(|c| {
            let (class, label) = if c == 'F' { ("t-f", "failed") } else { ("t-p", "passed") };
            view! { <span class=class title=label></span> }
        })
        .collect_view();
    view! { <span class="trend" aria-label=format!("recent executions, oldest first: {trend}")>{cells}</span> }
}

#[component]
fn Flaky(list: FlakyTests, filter: Filter) -> impl IntoView {
    let slug = list.project.clone();
    let rules = list.rules.clone();
    let option = |value: &'static str, label: &'static str, current: &Option<String>| {
        let selected = current.as_deref().unwrap_or("") == value;
        view! { <option value=value selected=selected>{label}</option> }
    };
    let state_options = view! {
        {option("", "flaky now", &filter.state)}
        {option("all", "flaky now and recovered", &filter.state)}
    };
    let rule_options = view! {
        {option("", "any rule", &filter.rule)}
        {option("same_revision", Rule::SameRevision.label(), &filter.rule)}
        {option("retries", Rule::Retries.label(), &filter.rule)}
        {option("flips", Rule::Flips.label(), &filter.rule)}
    };
    let sort_link = |key: &'static str, label: &'static str| {
        let current = filter.sort.as_deref().unwrap_or("last_flake") == key;
        view! { <a class=if current { "sort current" } else { "sort" } href=filter.href(&slug, key)>{label}</a> }
    };
    let headers = view! {
        <tr>
            <th>{sort_link("name", "Test")}</th>
            <th>"Job"</th>
            <th>"Owner"</th>
            <th>"Rule"</th>
            <th class="num">{sort_link("rate", "Rate")}</th>
            <th>"Trend"</th>
            <th class="num">{sort_link("flakes", "Flakes")}</th>
            <th>{sort_link("first_seen", "First seen")}</th>
            <th>{sort_link("last_flake", "Last flake")}</th>
            <th>"Recovered"</th>
        </tr>
    };
    let count = list.tests.len();
    let rows = list.tests.into_iter().map(|t| view! { <Row test=t slug=slug.clone()/> }).collect_view();
    let title = format!("Flaky tests · {slug}");
    view! {
        <Title text=title/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (slug.clone(), Some(routes::project(&slug))),
            ("Flaky tests".into(), None),
        ]/>
        <h1>"Flaky tests"</h1>
        <p class="muted rules">
            {format!(
                "A test is flaky when it passed and failed on the same revision, passed only after retries, or flipped between pass and fail {} times in its last {} executions on {}. Jobs where more than {}% of the tests failed are left out. A flaky test recovers after {} clean executions in a row.",
                rules.min_flips,
                rules.window,
                rules.branches.join(", "),
                (rules.infra_ratio * 100.0).round() as i64,
                rules.recovery_runs
            )}
        </p>
        <form method="get" action="" class="filters flaky-filters">
            <label>"Search " <input type="search" name="q" value=filter.q.clone().unwrap_or_default() placeholder="test, class or suite name"/></label>
            <label>"Show " <select name="state">{state_options}</select></label>
            <label>"Rule " <select name="rule">{rule_options}</select></label>
            {filter.sort.clone().map(|s| view! { <input type="hidden" name="sort" value=s/> })}
            <button type="submit">"Apply"</button>
        </form>
        {if count == 0 {
            view! { <p class="empty">"No flaky tests match."</p> }.into_any()
        } else {
            view! {
                <table class="list flaky-tests">
                    <thead>{headers}</thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        }}
    }
}

#[component]
fn Row(test: FlakyTest, slug: String) -> impl IntoView {
    let t = test;
    let href = routes::test(&slug, t.last_run_id, t.last_job_id, t.last_result_id);
    let path =
        [t.suite.as_str(), t.classname.as_str()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" › ");
    let other = t.other_run_id.map(|id| {
        let name = t.other_run.clone().unwrap_or_else(|| format!("#{id}"));
        view! { <div class="small">"the other way in " <a class="other-run" href=routes::run(&slug, id)>{name}</a></div> }
    });
    view! {
        <tr class=if t.flaky { "flaky-test flaky" } else { "flaky-test recovered" } data-name=t.name.clone() data-rule=t.rule.as_str()>
            <td>
                <a class="test-link" href=href>{t.name.clone()}</a>
                <div class="muted small">{path}</div>
            </td>
            <td>{t.job_key.clone()}</td>
            <td class="owner">{t.owner.clone()}</td>
            <td class="rule">{t.rule.label()} {other}</td>
            <td class="num rate">{percent(t.rate)}</td>
            <td><Trend trend=t.trend.clone()/></td>
            <td class="num">{t.flakes.to_string()}</td>
            <td>{format::time(&t.first_flake_at)}</td>
            <td>{format::time(&t.last_flake_at)} <div class="small"><a class="last-run" href=routes::run(&slug, t.last_run_id)>{t.last_run.clone()}</a></div></td>
            <td class="recovered">{t.recovered_at.map(|r| format::time(&r))}</td>
        </tr>
    }
}
