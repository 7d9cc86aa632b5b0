//! A trace on a device: one of its results compared with the reference
//! (side by side, overlay, blink and the pixel diff, in the browser), the
//! way to accept that rendering as the reference, its results across runs
//! and the references accepted, with who, when and why.

use super::job_traces::{AcceptForm, TraceStatusBadge, acceptable, checksum, thumbnail};
use super::{id_param, path_param, query_param};
use crate::api::{AcceptTraces, TraceView, get_trace};
use crate::components::error_view::ErrorView;
use crate::components::forms::FormError;
use crate::components::layout::Breadcrumbs;
use crate::components::trace_viewer::{TraceViewer, parse_hundredths};
use crate::error::AppError;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::traces::model::TraceResultView;

/// A job's traces page, or, with `?trace=ID`, that trace's page.
#[component]
pub fn TracesRoute() -> impl IntoView {
    let trace = query_param("trace");
    let one = Memo::new(move |_| trace.get().is_some());
    move || {
        if one.get() {
            view! { <TracePage/> }.into_any()
        } else {
            view! { <super::job_traces::JobTracesPage/> }.into_any()
        }
    }
}

#[component]
pub fn TracePage() -> impl IntoView {
    let project = path_param("project");
    let trace = query_param("trace");
    let id = Memo::new(move |_| trace.get().and_then(|t| t.parse::<i64>().ok()));
    let job = id_param("job");
    let accept = ServerAction::<AcceptTraces>::new();
    let data = Resource::new(
        move || (project.get(), id.get(), accept.version().get()),
        |(project, id, _)| async move {
            match id {
                Some(id) => get_trace(project, id).await,
                None => Err(AppError::NotFound("trace not found".into())),
            }
        },
    );
    let threshold = query_param("threshold");
    let include_aa = query_param("include_aa");
    view! {
        <Transition fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => {
                        let selected = job.get();
                        let threshold = threshold.get_untracked().and_then(|t| parse_hundredths(&t));
                        let include_aa = crate::api::ticked(&include_aa.get_untracked());
                        view! { <Trace view=v selected=selected accept=accept threshold=threshold include_aa=include_aa/> }.into_any()
                    }
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Trace(
    view: TraceView,
    /// The job whose result is compared (else the latest result).
    selected: Option<i64>,
    accept: ServerAction<AcceptTraces>,
    threshold: Option<u32>,
    include_aa: bool,
) -> impl IntoView {
    let TraceView { project, project_name, can_edit, detail } = view;
    let result: Option<TraceResultView> =
        selected.and_then(|job| detail.history.iter().find(|r| r.job_id == job)).or(detail.history.first()).cloned();
    let crumbs = {
        let mut items = vec![
            ("Projects".to_owned(), Some("/".to_owned())),
            (project_name.clone(), Some(routes::project(&project))),
        ];
        if let Some(r) = &result {
            items.push((r.run_name.clone(), Some(routes::run(&project, r.run_id))));
            items.push((r.job_name.clone(), Some(routes::job(&project, r.run_id, r.job_id))));
            items.push(("Traces".to_owned(), Some(routes::job_traces(&project, r.run_id, r.job_id))));
        }
        items.push((format!("{} on {}", detail.name, detail.device), None));
        items
    };
    let reference = match &detail.reference_checksum {
        Some(sum) => view! { {checksum(Some(sum))} " (accepted in Assay)" }.into_any(),
        None => view! { <span class="muted">"none accepted in Assay: results are held to what their upload expected"</span> }.into_any(),
    };
    let compared = result.as_ref().map(|r| {
        let expected = r.expected_image.clone().or_else(|| detail.reference_image.clone());
        let viewer = match (expected, r.actual_image.clone()) {
            (Some(expected), Some(actual)) => view! {
                <TraceViewer expected=expected actual=actual regions=detail.ignore_regions.clone()
                    project=project.clone() trace=detail.id can_edit=can_edit threshold=threshold include_aa=include_aa/>
            }
            .into_any(),
            (None, Some(actual)) => view! {
                <p class="empty">"No reference image to compare with: this is what was rendered."</p>
                <img class="trace-image" src=routes::image(&actual.sha256) alt="actual rendering" width=actual.width.to_string() height=actual.height.to_string()/>
            }
            .into_any(),
            (_, None) => view! { <p class="empty">"This result kept no image."</p> }.into_any(),
        };
        view! {
            <section class="compared">
                <h2>"Result of " <a href=routes::run(&project, r.run_id)>{r.run_name.clone()}</a>
                    " · " <a href=routes::job_traces(&project, r.run_id, r.job_id)>{r.job_name.clone()}</a></h2>
                <dl class="meta">
                    <dt>"Status"</dt><dd><TraceStatusBadge status=r.status/></dd>
                    <dt>"Actual"</dt><dd>{checksum(r.actual_checksum.as_deref())}</dd>
                    <dt>"Expected"</dt><dd>{checksum(r.expected_checksum.as_deref())}</dd>
                    {r.reported_checksum.clone().filter(|s| Some(s) != r.expected_checksum.as_ref()).map(|s| view! {
                        <dt>"Upload expected"</dt><dd>{checksum(Some(&s))}</dd>
                    })}
                    <dt>"Uploaded"</dt><dd>{format::time(&r.created_at)}</dd>
                    {r.text.clone().map(|t| view! { <dt>"Note"</dt><dd>{t}</dd> })}
                </dl>
                {viewer}
            </section>
        }
    });
    let accept_form = result.as_ref().filter(|r| can_edit && acceptable(r)).map(|r| {
        let id = r.id;
        view! {
            <AcceptForm accept=accept project=project.clone() class="accept-reference"
                button="Accept actual as reference" placeholder="why this rendering is right" ids=move |_: ()| vec![id]>
                <input type="hidden" name="results[0]" value=id.to_string()/>
            </AcceptForm>
        }
    });
    let selected_id = result.as_ref().map(|r| r.id);
    let history = detail
        .history
        .iter()
        .map(|r| {
            let current = Some(r.id) == selected_id;
            view! {
                <tr class=if current { "selected" } else { "" }>
                    <td><TraceStatusBadge status=r.status/></td>
                    <td><a href=routes::run(&project, r.run_id)>{r.run_name.clone()}</a>
                        " · " <a href=routes::job_traces(&project, r.run_id, r.job_id)>{r.job_name.clone()}</a></td>
                    <td>{thumbnail(r.actual_image.as_ref(), "actual")}</td>
                    <td>{checksum(r.actual_checksum.as_deref())}</td>
                    <td>{format::time(&r.created_at)}</td>
                    <td>{if current {
                        view! { <span class="muted">"shown above"</span> }.into_any()
                    } else {
                        view! { <a class="compare-result" href=routes::trace(&project, r.run_id, r.job_id, detail.id)>"compare"</a> }.into_any()
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    let references = detail
        .references
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <td>{format::time(&c.created_at)}</td>
                    <td>{c.accepted_by.clone()}</td>
                    <td>{checksum(Some(&c.checksum))}</td>
                    <td>{checksum(c.previous_checksum.as_deref())}</td>
                    <td>{c.note.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let no_references = detail.references.is_empty();
    view! {
        <Title text=format!("{} on {}", detail.name, detail.device)/>
        <Breadcrumbs items=crumbs/>
        <h1>{detail.name.clone()} " " <span class="muted">"on " {detail.device.clone()}</span></h1>
        <dl class="meta">
            <dt>"Reference"</dt><dd>{reference}</dd>
            <dt>"Traces YAML"</dt><dd>
                <a href=routes::traces_yaml(&project, Some(&detail.device))>{format!("this device ({})", detail.device)}</a>
                " · " <a href=routes::traces_yaml(&project, None)>"all devices"</a>
            </dd>
        </dl>
        <FormError action=accept/>
        {move || matches!(accept.value().get(), Some(Ok(_))).then(|| view! { <p class="saved" role="status">"Accepted as the reference."</p> })}
        {accept_form}
        {compared}
        <section class="history">
            <h2>"Results on " {detail.device.clone()}</h2>
            <table class="list trace-history">
                <thead><tr><th>"Status"</th><th>"Where"</th><th>"Image"</th><th>"Checksum"</th><th>"Uploaded"</th><th></th></tr></thead>
                <tbody>{history}</tbody>
            </table>
        </section>
        <section class="references">
            <h2>"References accepted"</h2>
            {if no_references {
                view! { <p class="empty">"None yet: a member accepts a rendering as the reference above."</p> }.into_any()
            } else {
                view! {
                    <table class="list trace-references">
                        <thead><tr><th>"When"</th><th>"By"</th><th>"Checksum"</th><th>"Before"</th><th>"Note"</th></tr></thead>
                        <tbody>{references}</tbody>
                    </table>
                }
                .into_any()
            }}
        </section>
    }
}
