//! Test durations: a job's slowest tests and the tests of its job key that
//! got slower (median of the recent jobs against the ones before), and one
//! test's duration over its recent results, drawn with the perf graphs'
//! chart (one line per job key; clicking a point opens that result).

use super::{id_param, path_param, query_param};
use crate::api::{get_job_durations, get_test_durations};
use crate::components::charts::{GraphLine, GraphPoint, SeriesGraph};
use crate::components::error_view::ErrorView;
use crate::components::layout::Breadcrumbs;
use crate::error::AppError;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::analytics::wire::{DurationTest, JobDurations, TestDurations};

#[component]
pub fn JobDurationsPage() -> impl IntoView {
    let project = path_param("project");
    let run = id_param("run");
    let job = id_param("job");
    let window = query_param("window");
    let data = Resource::new(
        move || (project.get(), run.get(), job.get(), window.get()),
        |(project, run, job, window)| async move {
            match (run, job) {
                (Some(run), Some(job)) => {
                    get_job_durations(project, run, job, window.and_then(|w| w.parse().ok())).await
                }
                _ => Err(AppError::NotFound("job not found".into())),
            }
        },
    );
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <JobDurationsView d=d/> }.into_any(),
                    Err(e) => view! { <Title text="Durations"/> <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn rows(slug: &str, run: i64, job: i64, tests: Vec<DurationTest>) -> impl IntoView + use<> {
    let slug = slug.to_owned();
    tests
        .into_iter()
        .map(|t| {
            let href = routes::test(&slug, run, job, t.result_id);
            let chart = routes::test_durations(&slug, run, job, t.result_id);
            let path = [t.suite.as_str(), t.classname.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" › ");
            let before = t.before_s.map(|b| {
                let pct = if b > 0.0 { ((t.duration_s - b) * 100.0 / b).round() as i64 } else { 0 };
                view! { <td class="num">{format::duration(b)}</td><td class="num change">{format!("+{pct}%")}</td> }
            });
            view! {
                <tr class="duration-test">
                    <td><a class="test-link" href=href>{t.name.clone()}</a> " "
                        <a class="duration-chart-link small" href=chart>"chart"</a>
                        <div class="muted small">{path}</div></td>
                    {before}
                    <td class="num">{format::duration(t.duration_s)}</td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
fn JobDurationsView(d: JobDurations) -> impl IntoView {
    let JobDurations { project: slug, run_id, job_id, job_key, window, recent_jobs, before_jobs, slowest, slower } = d;
    let job_href = routes::job(&slug, run_id, job_id);
    let base = routes::job_durations(&slug, run_id, job_id);
    let windows = [3i64, 5, 10, 20]
        .into_iter()
        .map(|w| {
            if w == window {
                view! { <strong>{w}</strong> " " }.into_any()
            } else {
                view! { <a href=format!("{base}?window={w}")>{w}</a> " " }.into_any()
            }
        })
        .collect_view();
    let no_slower = slower.is_empty();
    view! {
        <Title text=format!("Durations · {job_key}")/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (slug.clone(), Some(routes::project(&slug))),
            (job_key.clone(), Some(job_href)),
            ("Durations".into(), None),
        ]/>
        <h1>{format!("Durations of {job_key}")}</h1>
        <h2>"Slowest tests of this job"</h2>
        <table class="list slowest">
            <thead><tr><th>"Test"</th><th class="num">"Time"</th></tr></thead>
            <tbody>{rows(&slug, run_id, job_id, slowest)}</tbody>
        </table>
        <h2>"Tests that got slower"</h2>
        <p class="muted small">
            {format!(
                "Median time over this job and the ones before it of {job_key} on the branch ({recent_jobs} jobs) against the {before_jobs} before those; slower by at least 50 ms and 20%. Jobs per window: "
            )}
            {windows}
        </p>
        {if no_slower {
            view! { <p class="empty">{if before_jobs == 0 { "Not enough history to compare yet." } else { "None." }}</p> }.into_any()
        } else {
            view! {
                <table class="list slower">
                    <thead><tr><th>"Test"</th><th class="num">"Before"</th><th class="num">"Change"</th><th class="num">"Now"</th></tr></thead>
                    <tbody>{rows(&slug, run_id, job_id, slower)}</tbody>
                </table>
            }.into_any()
        }}
    }
}

#[component]
pub fn TestDurationsPage() -> impl IntoView {
    let project = path_param("project");
    let run = id_param("run");
    let job = id_param("job");
    let test = id_param("test");
    let data = Resource::new(
        move || (project.get(), run.get(), job.get(), test.get()),
        |(project, run, job, test)| async move {
            match (run, job, test) {
                (Some(run), Some(job), Some(test)) => get_test_durations(project, run, job, test).await,
                _ => Err(AppError::NotFound("test result not found".into())),
            }
        },
    );
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <TestDurationsView d=d/> }.into_any(),
                    Err(e) => view! { <Title text="Duration history"/> <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TestDurationsView(d: TestDurations) -> impl IntoView {
    let TestDurations { project: slug, name, branch, points, .. } = d;
    // The runs on the x axis, oldest first; one line per job key.
    let mut runs: Vec<(i64, String)> = Vec::new();
    for p in &points {
        if !runs.iter().any(|(id, _)| *id == p.run_id) {
            runs.push((p.run_id, p.run_name.clone()));
        }
    }
    let mut lines: Vec<GraphLine> = Vec::new();
    for p in &points {
        let Some(value) = p.duration_s else { continue };
        let x = runs.iter().position(|(id, _)| *id == p.run_id).unwrap_or_default();
        let point = GraphPoint {
            x,
            value,
            low: None,
            high: None,
            label: format!("{} · {} · {} · {}", p.run_name, p.job_name, p.status.as_str(), format::duration(value)),
            href: routes::test(&slug, p.run_id, p.job_id, p.result_id),
        };
        match lines.iter_mut().find(|l| l.name == p.job_key) {
            Some(l) => l.points.push(point),
            None => lines.push(GraphLine { name: p.job_key.clone(), points: vec![point] }),
        }
    }
    let xs: Vec<String> = runs.into_iter().map(|(_, n)| n).collect();
    let where_ = branch.map(|b| format!("on branch {b}")).unwrap_or_else(|| "in runs without a branch".into());
    let count = lines.iter().map(|l| l.points.len()).sum::<usize>();
    let title = format!("Duration of {name}");
    view! {
        <Title text=title.clone()/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (slug.clone(), Some(routes::project(&slug))),
            (title.clone(), None),
        ]/>
        <h1>{title}</h1>
        <p class="muted">{format!("Its last {count} timed results {where_}, one line per job; click a point to open that result.")}</p>
        {if count == 0 {
            view! { <p class="empty">"No timed results yet."</p> }.into_any()
        } else {
            view! {
                <div class="duration-chart">
                    <SeriesGraph lines=lines xs=xs marks=Vec::new() unit="s".to_owned() on_zoom=Callback::new(|_: (usize, usize)| {})/>
                </div>
            }.into_any()
        }}
    }
}
