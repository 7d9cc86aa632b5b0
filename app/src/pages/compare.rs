//! Jobs' performance results side by side, PerfTracker's way: one row per
//! test and metric, each job's value with its 95% interval, the change
//! against the first job and whether it is significant, then charts per
//! group. Filters and sorting are links and a GET form: the page works the
//! same with JavaScript off.

use crate::api::get_compare;
use crate::components::charts::{ChartCell, ChartRow, CompareChart, PALETTE};
use crate::components::error_view::ErrorView;
use crate::components::layout::Breadcrumbs;
use crate::error::AppError;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use shared::perf::compare::{CompareCell, CompareRow, Comparison, Verdict, ViewParams};

/// Rows drawn in one chart at most; the table holds them all.
const CHART_ROWS: usize = 40;

/// The page's parameters, as in its URL.
#[derive(Debug, Clone, PartialEq, Default)]
struct Params {
    jobs: String,
    view: ViewParams,
}

impl Params {
    fn href(&self, change: impl FnOnce(&mut Params)) -> String {
        let mut p = self.clone();
        change(&mut p);
        format!(
            "/compare{}",
            routes::query(&[
                ("jobs", Some(p.jobs.clone())),
                ("only", p.view.only.clone()),
                ("group", p.view.group.clone()),
                ("category", p.view.category.clone()),
                ("name", p.view.name.clone()),
                ("sort", p.view.sort.clone()),
                ("desc", p.view.desc.filter(|d| *d).map(|_| "true".to_owned())),
            ])
        )
    }

    fn api(&self, format: &str) -> String {
        let page = self.href(|_| {});
        format!("/api/v1{page}&format={format}")
    }
}

#[component]
pub fn ComparePage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let q = query.read();
        // `jobs=1,2` from a link, or `job=1&job=2` from the checkboxes of a
        // run's jobs.
        let mut jobs: Vec<String> = q.get("jobs").map(|j| vec![j]).unwrap_or_default();
        jobs.extend(q.get_all("job").unwrap_or_default());
        let get = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
        Params {
            jobs: jobs.join(","),
            view: ViewParams {
                only: get("only"),
                group: get("group"),
                category: get("category"),
                name: get("name"),
                sort: get("sort"),
                desc: get("desc").map(|d| d == "true" || d == "on"),
            },
        }
    });
    let data = Resource::new(
        move || params.get(),
        |p| async move {
            let v = p.view;
            get_compare(p.jobs, v.only, v.group, v.category, v.name, v.sort, v.desc).await
        },
    );
    view! {
        <Title text="Compare jobs"/>
        <Breadcrumbs items=vec![("Projects".into(), Some("/".into())), ("Compare jobs".into(), None)]/>
        <h1>"Compare jobs"</h1>
        <Transition fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(c) => view! { <ComparisonView c=c params=params.get_untracked()/> }.into_any(),
                    Err(AppError::BadRequest(m)) => view! {
                        <p class="empty">{m} ". Pick jobs with the checkboxes on a run's page, or open "
                            <code>"/compare?jobs=ID,ID"</code> "."</p>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn job_label(c: &Comparison, i: usize) -> String {
    let j = &c.jobs[i];
    format!("{} · {}", j.run, j.key)
}

#[component]
fn ComparisonView(c: Comparison, params: Params) -> impl IntoView {
    let headers = c
        .jobs
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let href = routes::job(&j.project, j.run_id, j.id);
            let sort = format!("value{i}");
            let sort_href = params.href(|p| {
                p.view.desc = Some(p.view.sort.as_deref() == Some(sort.as_str()) && p.view.desc != Some(true));
                p.view.sort = Some(sort.clone());
            });
            view! {
                <th class="num job-col">
                    <span class="swatch" style=format!("background:{}", PALETTE[i % PALETTE.len()])></span>
                    <a href=href>{j.run.clone()}</a>
                    <div class="muted small">{j.key.clone()}{j.platform.clone().map(|p| format!(" · {p}"))}</div>
                    {j.revision.clone().map(|r| view! { <div class="muted small"><code>{format::revision(&r)}</code></div> })}
                    {(i == 0).then(|| view! { <div class="small">"baseline"</div> })}
                    <a class="sort small" href=sort_href>"sort"</a>
                </th>
            }
        })
        .collect_view();
    let sort_link = |key: &'static str, label: &'static str| {
        let href = params.href(|p| {
            p.view.desc = Some(p.view.sort.as_deref() == Some(key) && p.view.desc != Some(true));
            p.view.sort = Some(key.to_owned());
        });
        view! { <a class="sort" href=href>{label}</a> }
    };
    let rows = c.rows.iter().map(|r| view! { <Row row=r.clone()/> }).collect_view();
    let only_options = [
        ("", "all rows"),
        ("changed", "only changed"),
        ("regressions", "only regressions"),
        ("improvements", "only improvements"),
    ]
    .into_iter()
    .map(|(v, label)| {
        let selected = params.view.only.as_deref().unwrap_or("") == v;
        view! { <option value=v selected=selected>{label}</option> }
    })
    .collect_view();
    let group_options = std::iter::once(String::new())
        .chain(c.groups.iter().cloned())
        .map(|g| {
            let selected = params.view.group.as_deref().unwrap_or("") == g;
            let label = if g.is_empty() { "all groups".to_owned() } else { g.clone() };
            view! { <option value=g selected=selected>{label}</option> }
        })
        .collect_view();
    let category_options = std::iter::once(String::new())
        .chain(c.categories.iter().cloned())
        .map(|g| {
            let selected = params.view.category.as_deref().unwrap_or("") == g;
            let label = if g.is_empty() { "all categories".to_owned() } else { g.clone() };
            view! { <option value=g selected=selected>{label}</option> }
        })
        .collect_view();
    let shown = c.rows.len();
    let summary = format!(
        "{} of {} rows · {} regressions · {} improvements (p < {})",
        shown, c.total_rows, c.regressions, c.improvements, c.alpha
    );
    let charts = charts(&c);
    let (sort_name, sort_change, sort_verdict) =
        (sort_link("name", "Test"), sort_link("change", "Change"), sort_link("verdict", "Verdict"));
    let (csv, json) = (params.api("csv"), params.api("json"));
    let jobs_value = params.jobs.clone();
    let name_value = params.view.name.clone().unwrap_or_default();
    let sort_value = params.view.sort.clone();
    view! {
        <Form method="GET" action="/compare">
            <input type="hidden" name="jobs" value=jobs_value/>
            <div class="filters">
                <label>"Show " <select name="only">{only_options}</select></label>
                <label>"Group " <select name="group">{group_options}</select></label>
                <label>"Category " <select name="category">{category_options}</select></label>
                <label>"Name " <input type="search" name="name" value=name_value placeholder="test or metric"/></label>
                {sort_value.map(|s| view! { <input type="hidden" name="sort" value=s/> })}
                <button type="submit">"Apply"</button>
            </div>
        </Form>
        <p class="summary compare-summary">
            <span class="regression">"▼ " {c.regressions} " regressions"</span> " · "
            <span class="improvement">"▲ " {c.improvements} " improvements"</span> " · "
            <span class="muted">{summary}</span> " · "
            <a href=csv rel="nofollow" download="">"CSV"</a> " · "
            <a href=json rel="nofollow">"JSON"</a>
        </p>
        {if c.rows.is_empty() {
            view! { <p class="empty">"No results match. The jobs may hold no perf results, or the filter leaves none."</p> }.into_any()
        } else {
            view! {
                <table class="list compare">
                    <thead><tr>
                        <th>{sort_name}</th>
                        <th>"Metric"</th>
                        {headers}
                        <th class="num">{sort_change}</th>
                        <th>{sort_verdict}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any()
        }}
        <h2>"Charts"</h2>
        <div class="charts">{charts}</div>
    }
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Regression => "regression",
        Verdict::Improvement => "improvement",
        Verdict::NoChange => "no-change",
        Verdict::Baseline => "baseline",
        Verdict::Unknown => "unknown",
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Regression => "regression",
        Verdict::Improvement => "improvement",
        Verdict::NoChange => "no significant change",
        Verdict::Baseline => "baseline",
        Verdict::Unknown => "too few samples to judge",
    }
}

#[component]
fn Row(row: CompareRow) -> impl IntoView {
    let series: Vec<i64> = {
        let mut ids: Vec<i64> = row.cells.iter().flatten().map(|c| c.series_id).collect();
        ids.dedup();
        ids
    };
    let graph = routes::series(&series);
    let verdict = row.verdict();
    let unit = row.unit.clone();
    let cells = row.cells.iter().map(|c| view! { <Cell cell=c.clone() unit=unit.clone()/> }).collect_view();
    let change = row.max_change().map(format::change).unwrap_or_default();
    let path = [row.group.as_str(), row.category.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" › ");
    let direction = match row.direction {
        shared::perf::Direction::Lower => "lower is better",
        shared::perf::Direction::Higher => "higher is better",
    };
    view! {
        <tr class=format!("row {}", verdict_class(verdict)) data-test=row.test.clone()>
            <td><a class="series-link" href=graph title="the series' graph">{row.test.clone()}</a>
                {(!path.is_empty()).then(|| view! { <div class="muted small">{path}</div> })}</td>
            <td>{row.metric.clone()} <div class="muted small">{row.unit.clone()} " · " {direction}</div></td>
            {cells}
            <td class="num">{change}</td>
            <td class=format!("verdict {}", verdict_class(verdict))>{verdict.symbol()} " " {verdict_word(verdict)}</td>
        </tr>
    }
}

#[component]
fn Cell(cell: Option<CompareCell>, unit: String) -> impl IntoView {
    let Some(c) = cell else {
        return view! { <td class="num muted">"—"</td> }.into_any();
    };
    let interval = match (c.ci_low, c.ci_high) {
        (Some(l), Some(h)) => format!("± {}", format::number((h - l) / 2.0)),
        _ => String::new(),
    };
    let samples = format!("n = {}", c.n);
    let title = match (c.p_value, c.test) {
        (Some(p), Some(t)) => format!(
            "p = {p:.4} ({})",
            match t {
                shared::perf::stats::TestUsed::Welch => "Welch's t-test",
                shared::perf::stats::TestUsed::MannWhitney => "Mann–Whitney U",
            }
        ),
        _ => verdict_word(c.verdict).to_owned(),
    };
    let class = format!("num cell {}", verdict_class(c.verdict));
    view! {
        <td class=class title=title>
            <span class="value">{format::value_unit(c.value, &unit)}</span>
            {(!interval.is_empty()).then(|| view! { <span class="ci muted small">" " {interval.clone()}</span> })}
            <div class="small">
                {c.change_pct.map(|p| view! { <span class="change">{c.verdict.symbol()} " " {format::change(p)}</span> " " })}
                <span class="muted">{samples}</span>
            </div>
        </td>
    }
    .into_any()
}

/// Group, category and unit: what one chart shows.
type GroupKey = (String, String, String);

/// One chart per group, category and unit, as PerfTracker draws them.
fn charts(c: &Comparison) -> AnyView {
    let jobs: Vec<String> = (0..c.jobs.len()).map(|i| job_label(c, i)).collect();
    let mut groups: Vec<(GroupKey, Vec<&CompareRow>)> = Vec::new();
    for r in &c.rows {
        let key = (r.group.clone(), r.category.clone(), r.unit.clone());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, rows)) => rows.push(r),
            None => groups.push((key, vec![r])),
        }
    }
    groups
        .into_iter()
        .map(|((group, category, unit), rows)| {
            let title = [group.as_str(), category.as_str()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" › ");
            let title = if title.is_empty() { "Results".to_owned() } else { title };
            let more = rows.len().saturating_sub(CHART_ROWS);
            let chart_rows: Vec<ChartRow> = rows
                .iter()
                .take(CHART_ROWS)
                .map(|r| {
                    let mut ids: Vec<i64> = r.cells.iter().flatten().map(|c| c.series_id).collect();
                    ids.dedup();
                    ChartRow {
                        label: if rows.iter().filter(|o| o.test == r.test).count() > 1 {
                            format!("{} · {}", r.test, r.metric)
                        } else {
                            r.test.clone()
                        },
                        href: routes::series(&ids),
                        cells: r
                            .cells
                            .iter()
                            .map(|c| {
                                c.as_ref().map(|c| ChartCell {
                                    value: c.value,
                                    low: c.ci_low,
                                    high: c.ci_high,
                                    verdict: format!("{} {}", c.verdict.symbol(), verdict_word(c.verdict)),
                                })
                            })
                            .collect(),
                    }
                })
                .collect();
            view! {
                <CompareChart title=title unit=unit jobs=jobs.clone() rows=chart_rows/>
                {(more > 0).then(|| view! { <p class="muted small">{format!("{more} more rows in this group are in the table; filter to chart them.")}</p> })}
            }
        })
        .collect_view()
        .into_any()
}
