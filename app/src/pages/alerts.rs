//! A project's regression alerts: what the detector found, newest first,
//! filtered by triage status, each with its series' graph one click away
//! and, for members, a triage form (a plain form post with JavaScript off).
//! Triage is data: the detector's precision over the triaged alerts heads
//! the page.

use super::{path_param, query_param};
use crate::api::{AlertsView, TriageAlert, list_alerts};
use crate::components::error_view::ErrorView;
use crate::components::forms::FormError;
use crate::components::layout::Breadcrumbs;
use crate::components::session::CsrfField;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use shared::perf::alerts::{Alert, AlertStatus};

#[component]
pub fn AlertsPage() -> impl IntoView {
    let project = path_param("project");
    let status = query_param("status");
    let summary = query_param("summary");
    let triage = ServerAction::<TriageAlert>::new();
    let data = Resource::new(
        move || (project.get(), status.get(), summary.get(), triage.version().get()),
        |(project, status, summary, _)| async move {
            let summary = summary.and_then(|s| s.parse::<i64>().ok());
            list_alerts(project, status, summary).await
        },
    );
    view! {
        <Transition fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => {
                        let summary = summary.get_untracked().and_then(|s| s.parse::<i64>().ok());
                        view! { <Alerts view=v status=status.get_untracked() summary=summary triage=triage/> }.into_any()
                    }
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Alerts(
    view: AlertsView,
    status: Option<String>,
    summary: Option<i64>,
    triage: ServerAction<TriageAlert>,
) -> impl IntoView {
    let AlertsView { project, abilities, list } = view;
    let slug = project.slug.clone();
    // One summary: the alerts found at one suspected run, with that run.
    let summary_head = summary.map(|id| {
        let first = list.alerts.first().cloned();
        let regressions = list.alerts.iter().filter(|a| a.direction == "regression").count();
        let improvements = list.alerts.len() - regressions;
        let run = first.as_ref().map(|a| {
            let good = a.last_good.clone().map(|g| view! { " (after " <a href=routes::run(&slug, g.run_id)>{g.run}</a> ")" });
            view! { " at run " <a href=routes::run(&slug, a.first_bad.run_id) class="summary-run">{a.first_bad.run.clone()}</a> {good} }
        });
        view! {
            <p class="summary-head">
                {format!("Summary #{id}: {regressions} regressions, {improvements} improvements")} {run}
                " · " <a href=routes::alerts(&slug)>"all alerts"</a>
            </p>
        }
    });
    let precision = match list.precision {
        Some(p) => {
            format!("Precision over triaged alerts: {:.0}% ({} real, {} invalid)", p * 100.0, list.valid, list.invalid)
        }
        None => "No alert triaged yet: the detector's precision shows here once some are.".to_owned(),
    };
    let options = std::iter::once(("", "all statuses"))
        .chain(AlertStatus::ALL.iter().map(|s| (s.as_str(), s.label())))
        .map(|(v, label)| {
            let selected = status.as_deref().unwrap_or("") == v;
            view! { <option value=v selected=selected>{label}</option> }
        })
        .collect_view();
    let empty = list.alerts.is_empty();
    let rows = list
        .alerts
        .into_iter()
        .map(|a| view! { <AlertRow alert=a can_triage=abilities.upload triage=triage/> })
        .collect_view();
    view! {
        <Title text=format!("Alerts · {}", project.name)/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (project.name.clone(), Some(routes::project(&slug))),
            ("Alerts".into(), None),
        ]/>
        <h1>{if summary.is_some() { "Alert summary" } else { "Performance alerts" }}</h1>
        {summary_head}
        <p class="precision">{precision}</p>
        <Form method="GET" action="">
            <div class="filters">
                <label>"Status " <select name="status">{options}</select></label>
                <button type="submit">"Filter"</button>
            </div>
        </Form>
        <FormError action=triage/>
        {if empty {
            view! { <p class="empty">"No alerts. Regressions found in this project's perf results show here."</p> }.into_any()
        } else {
            view! {
                <table class="list alerts">
                    <thead><tr>
                        <th>"Change"</th><th>"Test · metric"</th><th>"Runs"</th><th class="num">"Confidence"</th>
                        <th>"Status"</th><th>"Triage"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any()
        }}
    }
}

#[component]
fn AlertRow(alert: Alert, can_triage: bool, triage: ServerAction<TriageAlert>) -> impl IntoView {
    let a = alert;
    let regression = a.direction == "regression";
    let symbol = if regression { "▼" } else { "▲" };
    let graph = routes::series(&[a.series.id]);
    let slug = a.project.clone();
    let good = a.last_good.clone().map(|g| {
        view! { <a href=routes::run(&slug, g.run_id)>{g.run.clone()}</a> " → " }
    });
    let bad_job = routes::job(&slug, a.first_bad.run_id, a.first_bad_job_id);
    let place = [a.series.platform.as_str(), a.series.machine.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let options = AlertStatus::ALL
        .iter()
        .map(|s| {
            let selected = *s == a.status;
            view! { <option value=s.as_str() selected=selected>{s.label()}</option> }
        })
        .collect_view();
    let triaged = a.triaged_by.clone().map(|by| {
        let when = a.triaged_at.map(|t| format::time(&t)).unwrap_or_default();
        view! { <div class="muted small">"by " {by} " · " {when}</div> }
    });
    let note = a.note.clone();
    view! {
        <tr class=format!("alert {}", a.direction) data-alert=a.id.to_string() data-test=a.series.test.clone()>
            <td class=format!("magnitude {}", a.direction)>
                {symbol} " " {format::change(a.magnitude_pct)} " " {a.direction.clone()}
                <div class="muted small">{format::value_unit(a.before, &a.series.unit)} " → " {format::value_unit(a.after, &a.series.unit)}</div>
            </td>
            <td>
                <a class="series-link" href=graph>{a.series.test.clone()}</a> " · " {a.series.metric.clone()}
                {(!place.is_empty()).then(|| view! { <div class="muted small">{place}</div> })}
            </td>
            <td>{good} <a href=bad_job>{a.first_bad.run.clone()}</a>
                <div class="small"><a class="summary-link" href=format!("{}?summary={}", routes::alerts(&slug), a.summary_id)>"its summary"</a></div></td>
            <td class="num">{format!("{:.1}%", a.confidence * 100.0)}</td>
            <td class=format!("status {}", a.status.as_str())>{a.status.label()} {triaged}
                {note.map(|n| view! { <div class="note">{n}</div> })}</td>
            <td>
                {can_triage.then(|| view! {
                    <ActionForm action=triage>
                        <CsrfField/>
                        <input type="hidden" name="id" value=a.id.to_string()/>
                        <select name="status" aria-label=format!("status of alert {}", a.id)>{options}</select>
                        <input name="note" placeholder="note" maxlength="4000" aria-label=format!("note on alert {}", a.id)/>
                        <button type="submit">"Save"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
