//! A series' graph: its values over runs with each job's 95% interval,
//! several series overlaid (`?ids=3,4`), zoomed to a range of runs
//! (`&from=&to=`, positions among the runs shown; dragging across the
//! graph sets them), and the points as a table with links to their jobs.

use crate::api::{AddAnnotation, RemoveAnnotation, SeriesView, SetSeriesDetection, get_series};
use crate::components::charts::{GraphLine, GraphMark, GraphPoint, PALETTE, SeriesGraph};
use crate::components::error_view::ErrorView;
use crate::components::forms::FormError;
use crate::components::layout::Breadcrumbs;
use crate::components::session::CsrfField;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::perf::SeriesPoints;
use shared::perf::alerts::annotation_positions;

/// Points listed in the table below the graph (the latest).
const TABLE_ROWS: usize = 50;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Params {
    ids: Vec<i64>,
    from: Option<usize>,
    to: Option<usize>,
}

impl Params {
    fn href(&self, from: Option<usize>, to: Option<usize>) -> String {
        let ids: Vec<String> = self.ids.iter().map(i64::to_string).collect();
        format!(
            "/series{}",
            routes::query(&[
                ("ids", Some(ids.join(","))),
                ("from", from.map(|f| f.to_string())),
                ("to", to.map(|t| t.to_string())),
            ])
        )
    }
}

#[component]
pub fn SeriesPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let q = query.read();
        let ids = q.get("ids").unwrap_or_default().split(',').filter_map(|s| s.trim().parse().ok()).collect();
        let num = |k: &str| q.get(k).and_then(|v| v.parse().ok());
        Params { ids, from: num("from"), to: num("to") }
    });
    let add = ServerAction::<AddAnnotation>::new();
    let remove = ServerAction::<RemoveAnnotation>::new();
    let tune = ServerAction::<SetSeriesDetection>::new();
    // Keyed on the zoom too, so that the page redraws when it changes.
    let data = Resource::new(
        move || (params.get(), add.version().get(), remove.version().get(), tune.version().get()),
        |(p, _, _, _)| async move {
            let list: Vec<String> = p.ids.iter().map(i64::to_string).collect();
            get_series(list.join(",")).await.map(|v| (v, p))
        },
    );
    view! {
        <Transition fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((v, p)) => view! { <Graph view=v params=p add=add remove=remove tune=tune/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn point_label(s: &SeriesPoints, p: &shared::perf::SeriesPoint) -> String {
    let spread = match (p.ci_low, p.ci_high) {
        (Some(l), Some(h)) => format!(" (95% interval {} – {}, n = {})", format::number(l), format::number(h), p.n),
        _ => String::new(),
    };
    format!("{} · {} · {}: {}{spread}", s.series.test, p.run, p.job, format::value_unit(p.value, &s.series.unit))
}

#[component]
fn Graph(
    view: SeriesView,
    params: Params,
    add: ServerAction<AddAnnotation>,
    remove: ServerAction<RemoveAnnotation>,
    tune: ServerAction<SetSeriesDetection>,
) -> impl IntoView {
    let SeriesView { series, alerts, annotations, can_annotate, sensitivity } = view;
    let Some(first) = series.first().cloned() else {
        return view! { <p class="empty">"No series named."</p> }.into_any();
    };
    let project = first.series.project.clone();
    // Every run any series has a point in, in order: the x axis.
    let mut runs: Vec<(i64, String)> =
        series.iter().flat_map(|s| s.points.iter().map(|p| (p.run_id, p.run.clone()))).collect();
    runs.sort_by_key(|r| r.0);
    runs.dedup_by_key(|r| r.0);
    let total = runs.len();
    let from = params.from.unwrap_or(0).min(total.saturating_sub(1));
    let to = params.to.unwrap_or(total.saturating_sub(1)).clamp(from, total.saturating_sub(1));
    let window: Vec<(i64, String)> =
        runs.get(from..=to.min(total.saturating_sub(1))).map(<[_]>::to_vec).unwrap_or_default();
    let position = |run_id: i64| window.binary_search_by_key(&run_id, |r| r.0).ok();
    let lines: Vec<GraphLine> = series
        .iter()
        .map(|s| GraphLine {
            name: s.series.test.clone(),
            points: s
                .points
                .iter()
                .filter_map(|p| {
                    Some(GraphPoint {
                        x: position(p.run_id)?,
                        value: p.value,
                        low: p.ci_low,
                        high: p.ci_high,
                        label: point_label(s, p),
                        href: routes::job(&s.series.project, p.run_id, p.job_id),
                    })
                })
                .collect(),
        })
        .collect();
    let xs: Vec<String> = window.iter().map(|r| r.1.clone()).collect();
    // Annotations at the first run uploaded after them (among those shown).
    let firsts: Vec<chrono::DateTime<chrono::Utc>> = window
        .iter()
        .map(|(run, _)| {
            series
                .iter()
                .flat_map(|s| s.points.iter().filter(|p| p.run_id == *run).map(|p| p.created_at))
                .min()
                .unwrap_or_default()
        })
        .collect();
    let placed = annotation_positions(&firsts, &annotations);
    let annotation_marks = annotations.iter().zip(&placed).filter_map(|(a, at)| {
        Some(GraphMark { x: (*at)?, text: format!("{} ({})", a.text, format::time(&a.at)), class: "annotation" })
    });
    // Alerts on the axis, at their first bad run.
    let mut marks: Vec<GraphMark> = alerts
        .iter()
        .filter_map(|a| {
            Some(GraphMark {
                x: position(a.first_bad.run_id)?,
                text: format!(
                    "{} {} {} at {} ({})",
                    if a.direction == "regression" { "▼" } else { "▲" },
                    format::change(a.magnitude_pct),
                    a.direction,
                    a.first_bad.run,
                    a.status.label()
                ),
                class: if a.direction == "regression" { "regression" } else { "improvement" },
            })
        })
        .collect();
    marks.extend(annotation_marks);
    let slug = project.clone();
    let annotation_items = annotations
        .clone()
        .into_iter()
        .map(|a| {
            let when = format::time(&a.at);
            view! {
                <li class="annotation" data-annotation=a.id.to_string()>
                    <strong>{a.text.clone()}</strong> <span class="muted small">" · " {when} " · by " {a.created_by.clone()}</span>
                    {can_annotate.then(|| view! {
                        <ActionForm action=remove attr:class="inline">
                            <CsrfField/>
                            <input type="hidden" name="id" value=a.id.to_string()/>
                            <button type="submit" class="link" aria-label=format!("remove annotation {}", a.text)>"remove"</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    let has_annotations = !annotations.is_empty();
    let alert_items = alerts
        .iter()
        .map(|a| {
            let text = format!(
                "{} {} {} at {} · {} · {}",
                if a.direction == "regression" { "▼" } else { "▲" },
                format::change(a.magnitude_pct),
                a.direction,
                a.first_bad.run,
                a.series.test,
                a.status.label()
            );
            view! { <li class=format!("alert {}", a.direction)>{text}</li> }
        })
        .collect_view();
    let has_alerts = !alerts.is_empty();
    let navigate = use_navigate();
    let zoom_params = params.clone();
    let on_zoom = Callback::new(move |(a, b): (usize, usize)| {
        navigate(&zoom_params.href(Some(from + a), Some(from + b)), Default::default());
    });
    let zoomed = from > 0 || to + 1 < total;
    let half = (to - from) / 4;
    let zoom_in = (to - from >= 4).then(|| params.href(Some(from + half), Some(to - half)));
    let latest = (total > 20).then(|| params.href(Some(total - 20), None));
    let title = if series.len() == 1 {
        format!("{} · {}", first.series.test, first.series.metric)
    } else {
        format!("{} series", series.len())
    };
    let legend = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let x = &s.series;
            let place = [x.platform.as_str(), x.machine.as_str()].into_iter().filter(|v| !v.is_empty()).collect::<Vec<_>>().join(" · ");
            view! {
                <li>
                    <span class="swatch" style=format!("background:{}", PALETTE[(i * 2 + 1) % PALETTE.len()])></span>
                    <strong>{x.test.clone()}</strong> " · " {x.metric.clone()} " (" {x.unit.clone()} ", "
                    {match x.direction { shared::perf::Direction::Lower => "lower is better", shared::perf::Direction::Higher => "higher is better" }}
                    ")" {(!place.is_empty()).then(|| format!(" · {place}"))}
                    {(!x.group.is_empty()).then(|| view! { <span class="muted">" · " {x.group.clone()}</span> })}
                    <span class="muted">" · " {x.point_count} " points"</span>
                </li>
            }
        })
        .collect_view();
    let mut table: Vec<(usize, shared::perf::SeriesPoint)> =
        series.iter().enumerate().flat_map(|(i, s)| s.points.iter().map(move |p| (i, p.clone()))).collect();
    table.sort_by_key(|(_, p)| std::cmp::Reverse((p.run_id, p.id)));
    table.truncate(TABLE_ROWS);
    let unit_of: Vec<String> = series.iter().map(|s| s.series.unit.clone()).collect();
    let rows = table
        .into_iter()
        .map(|(i, p)| {
            let spread = match (p.ci_low, p.ci_high) {
                (Some(l), Some(h)) => format!("{} – {}", format::number(l), format::number(h)),
                _ => String::new(),
            };
            view! {
                <tr>
                    <td><span class="swatch" style=format!("background:{}", PALETTE[(i * 2 + 1) % PALETTE.len()])></span></td>
                    <td><a href=routes::run(&project, p.run_id)>{p.run.clone()}</a></td>
                    <td><a href=routes::job(&project, p.run_id, p.job_id)>{p.job.clone()}</a></td>
                    <td>{p.revision.clone().map(|r| view! { <code>{format::revision(&r)}</code> })}</td>
                    <td class="num">{format::value_unit(p.value, &unit_of[i])}</td>
                    <td class="num">{spread}</td>
                    <td class="num">{p.n}</td>
                    <td class="when">{format::time(&p.created_at)}</td>
                </tr>
            }
        })
        .collect_view();
    let truncated = series.iter().any(|s| s.truncated);
    view! {
        <Title text=title.clone()/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (project.clone(), Some(routes::project(&project))),
            (title.clone(), None),
        ]/>
        <h1>{title}</h1>
        <ul class="legend series-legend">{legend}</ul>
        <p class="zoom-links small">
            {format!("Runs {}–{} of {total}", from + 1, to + 1)}
            {zoom_in.map(|h| view! { " · " <a href=h>"zoom in"</a> })}
            {latest.map(|h| view! { " · " <a href=h>"latest 20 runs"</a> })}
            {zoomed.then(|| view! { " · " <a href=params.href(None, None)>"all runs"</a> })}
        </p>
        {if total == 0 {
            view! { <p class="empty">"No points in this series yet."</p> }.into_any()
        } else {
            view! { <SeriesGraph lines=lines xs=xs marks=marks unit=first.series.unit.clone() on_zoom=on_zoom/> }.into_any()
        }}
        {truncated.then(|| view! { <p class="warning">"Only the first 50,000 points are drawn."</p> })}
        {has_alerts.then(|| view! {
            <h2>"Alerts"</h2>
            <ul class="graph-alerts">{alert_items}</ul>
            <p class="small"><a href=routes::alerts(&project)>"All of the project's alerts"</a></p>
        })}
        <h2>"Annotations"</h2>
        {if has_annotations {
            view! { <ul class="graph-annotations">{annotation_items}</ul> }.into_any()
        } else {
            view! { <p class="empty small">"None. Annotations (a new machine image, say) show on every graph of the project."</p> }.into_any()
        }}
        {can_annotate.then(|| view! {
            <ActionForm action=add attr:class="annotate">
                <CsrfField/>
                <input type="hidden" name="project" value=slug.clone()/>
                <label>"Annotate the project's graphs " <input name="text" required maxlength="500" placeholder="new machine image"/></label>
                " " <label>"at (UTC) " <input type="datetime-local" name="at"/></label>
                " " <button type="submit">"Add"</button>
                <span class="muted small">" (now, if no time is given)"</span>
            </ActionForm>
            <FormError action=add/>
        })}
        {sensitivity.map(|d| {
            let own = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
            view! {
                <h2>"Regression detection"</h2>
                <p class="small detection-effective">
                    {format!(
                        "Alerts on changes of at least {}% at alpha {} ({}).",
                        d.effective.min_magnitude_pct,
                        d.effective.alpha,
                        if d.alpha.is_none() && d.min_magnitude_pct.is_none() { "the project's settings" } else { "this series' own" }
                    )}
                </p>
                {can_annotate.then(|| view! {
                    <ActionForm action=tune attr:class="detection">
                        <CsrfField/>
                        <input type="hidden" name="id" value=d.series_id.to_string()/>
                        <label>"Alpha " <input name="alpha" value=own(d.alpha) placeholder="the project's" inputmode="decimal" size="8"/></label>
                        " " <label>"Minimum change (%) " <input name="min_magnitude_pct" value=own(d.min_magnitude_pct) placeholder="the project's" inputmode="decimal" size="8"/></label>
                        " " <button type="submit">"Save for this series"</button>
                    </ActionForm>
                    <FormError action=tune/>
                })}
            }
        })}
        <h2>"Latest points"</h2>
        <table class="list points">
            <thead><tr><th></th><th>"Run"</th><th>"Job"</th><th>"Revision"</th><th class="num">"Value"</th><th class="num">"95% interval"</th><th class="num">"Samples"</th><th>"Uploaded"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
