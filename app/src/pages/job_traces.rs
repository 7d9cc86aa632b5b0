//! A job's rendering traces: mismatches first, filtered by device and
//! status (a GET form), each with thumbnails of what it rendered and what
//! was expected, and, for members, boxes to tick and accept several
//! renderings as references at once (a plain form post with JavaScript
//! off; hydrated, the server function is called directly, so no form
//! decoder is in the WASM).

use super::{id_param, path_param, query_param};
use crate::api::{AcceptTraces, JobTracesView, get_job_traces};
use crate::components::error_view::ErrorView;
use crate::components::forms::FormError;
use crate::components::layout::Breadcrumbs;
use crate::components::session::{CsrfField, use_session};
use crate::error::AppError;
use crate::routes;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::components::Form;
use shared::traces::TraceStatus;
use shared::traces::model::{TraceImage, TraceResultView};

/// A trace status as a badge: a symbol and a word as well as a colour.
#[component]
pub fn TraceStatusBadge(status: TraceStatus) -> impl IntoView {
    let (class, icon) = match status {
        TraceStatus::Mismatch => ("failed", "✗"),
        TraceStatus::Failed => ("error", "!"),
        TraceStatus::MissingReference => ("pending", "?"),
        TraceStatus::New => ("running", "✦"),
        TraceStatus::Match => ("passed", "✓"),
        TraceStatus::Skipped => ("skipped", "○"),
        TraceStatus::Unsupported => ("skipped", "⊘"),
    };
    view! {
        <span class=format!("badge {class}") data-status=status.as_str()>
            <span class="icon" aria-hidden="true">{icon}</span>
            " "
            {status.label()}
        </span>
    }
}

/// A checksum, shortened, with the whole one on hover.
pub fn checksum(sum: Option<&str>) -> impl IntoView + use<> {
    match sum {
        Some(s) => {
            let short: String = s.chars().take(8).collect();
            view! { <code class="checksum" title=s.to_owned()>{short}</code> }.into_any()
        }
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

/// A thumbnail linking to the image itself.
pub fn thumbnail(image: Option<&TraceImage>, what: &'static str) -> impl IntoView + use<> {
    image.map(|i| {
        view! {
            <a href=routes::image(&i.sha256) class="thumb" title=format!("{what}, {}×{}", i.width, i.height)>
                <img src=routes::thumb(&i.sha256) alt=what loading="lazy"/>
            </a>
        }
    })
}

/// The form that accepts renderings as their traces' references, with a
/// note: `ids` says which at submission; `children` is what the form holds
/// above the note (the ticked boxes, or one result's hidden field).
#[component]
pub fn AcceptForm(
    accept: ServerAction<AcceptTraces>,
    project: String,
    class: &'static str,
    button: &'static str,
    placeholder: &'static str,
    #[prop(into)] ids: Callback<(), Vec<i64>>,
    children: Children,
) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let session = use_session();
    let slug = project.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let note = Some(note.get_untracked()).filter(|n| !n.trim().is_empty());
        let csrf = session.csrf_untracked();
        accept.dispatch(AcceptTraces { csrf, project: slug.clone(), results: Some(ids.run(())), note });
    };
    view! {
        <form method="post" action=AcceptTraces::PATH class=class on:submit=on_submit>
            <CsrfField/>
            <input type="hidden" name="project" value=project/>
            {children()}
            <div class="filters">
                <label>"Note " <input name="note" maxlength="4000" placeholder=placeholder
                    on:input=move |ev| note.set(event_target_value(&ev))/></label>
                <button type="submit">{button}</button>
            </div>
        </form>
    }
}

/// Whether a result's rendering can be accepted as its trace's reference.
pub fn acceptable(r: &TraceResultView) -> bool {
    r.actual_image.is_some() && r.status != TraceStatus::Match
}

#[component]
pub fn JobTracesPage() -> impl IntoView {
    let project = path_param("project");
    let run = id_param("run");
    let job = id_param("job");
    let device = query_param("device");
    let status = query_param("status");
    let accept = ServerAction::<AcceptTraces>::new();
    let data = Resource::new(
        move || (project.get(), run.get(), job.get(), device.get(), status.get(), accept.version().get()),
        |(project, run, job, device, status, _)| async move {
            match (run, job) {
                (Some(run), Some(job)) => get_job_traces(project, run, job, device, status).await,
                _ => Err(AppError::NotFound("job not found".into())),
            }
        },
    );
    view! {
        <Transition fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <JobTraces view=v device=device.get_untracked() status=status.get_untracked() accept=accept/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn JobTraces(
    view: JobTracesView,
    device: Option<String>,
    status: Option<String>,
    accept: ServerAction<AcceptTraces>,
) -> impl IntoView {
    let JobTracesView { project, project_name, run_id, run_name, job_id, job_name, can_accept, traces, .. } = view;
    let base = routes::job_traces(&project, run_id, job_id);
    let total: i64 = traces.counts.iter().map(|c| c.count).sum();
    let counts = traces
        .counts
        .iter()
        .map(|c| {
            let href = format!("{base}{}", routes::query(&[("status", Some(c.status.as_str().to_owned()))]));
            view! { <a class=format!("count {}", c.status.as_str()) href=href>{format!("{} {}", c.count, c.status.label())}</a> " " }
        })
        .collect_view();
    let device_options = std::iter::once(String::new())
        .chain(traces.devices.iter().cloned())
        .map(|d| {
            let selected = device.as_deref().unwrap_or("") == d;
            let label = if d.is_empty() { "all devices".to_owned() } else { d.clone() };
            view! { <option value=d selected=selected>{label}</option> }
        })
        .collect_view();
    let status_options = std::iter::once(("", "all statuses"))
        .chain(TraceStatus::ALL.iter().map(|s| (s.as_str(), s.label())))
        .map(|(v, label)| {
            let selected = status.as_deref().unwrap_or("") == v;
            view! { <option value=v selected=selected>{label}</option> }
        })
        .collect_view();
    let exports = traces
        .devices
        .iter()
        .map(|d| view! { " · " <a href=routes::traces_yaml(&project, Some(d))>{d.clone()}</a> })
        .collect_view();
    // The ids ticked, for the hydrated form; a plain post sends the boxes.
    let ticked = RwSignal::new(Vec::<i64>::new());
    let any_acceptable = can_accept && traces.results.iter().any(acceptable);
    let rows = traces
        .results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let href = routes::trace(&project, r.run_id, r.job_id, r.trace_id);
            let id = r.id;
            let tick = (can_accept && acceptable(r)).then(|| {
                view! {
                    <input type="checkbox" name=format!("results[{i}]") value=id.to_string()
                        aria-label=format!("accept {} on {}", r.name, r.device)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            ticked.update(|t| {
                                t.retain(|x| *x != id);
                                if on {
                                    t.push(id);
                                }
                            });
                        }/>
                }
            });
            view! {
                <tr class=format!("trace {}", r.status.as_str()) data-trace=r.name.clone()>
                    {can_accept.then(|| view! { <td>{tick}</td> })}
                    <td><TraceStatusBadge status=r.status/></td>
                    <td>
                        <a class="trace-link" href=href>{r.name.clone()}</a>
                        {r.text.clone().map(|t| view! { <div class="muted small">{t}</div> })}
                    </td>
                    <td>{r.device.clone()}</td>
                    <td>{thumbnail(r.actual_image.as_ref(), "actual")}</td>
                    <td>{thumbnail(r.expected_image.as_ref(), "expected")}</td>
                    <td>
                        <div>"actual " {checksum(r.actual_checksum.as_deref())}</div>
                        <div>"expected " {checksum(r.expected_checksum.as_deref())}</div>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let empty = traces.results.is_empty();
    let accepted = move || match accept.value().get() {
        Some(Ok(n)) => Some(view! { <p class="saved" role="status">{format!("{n} accepted as references")}</p> }),
        _ => None,
    };
    let table = view! {
        <table class="list traces">
            <thead><tr>
                {can_accept.then(|| view! { <th><span class="visually-hidden">"Accept"</span></th> })}
                <th>"Status"</th><th>"Trace"</th><th>"Device"</th><th>"Actual"</th><th>"Expected"</th><th>"Checksums"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    };
    view! {
        <Title text=format!("Traces · {job_name} · {run_name}")/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (project_name.clone(), Some(routes::project(&project))),
            (run_name.clone(), Some(routes::run(&project, run_id))),
            (job_name.clone(), Some(routes::job(&project, run_id, job_id))),
            ("Traces".into(), None),
        ]/>
        <h1>"Rendering traces of " {job_name.clone()}</h1>
        <p class="summary trace-counts">
            <a class="count" href=base.clone()>{format!("{total} traces")}</a> ": " {counts}
        </p>
        <Form method="GET" action="">
            <div class="filters">
                <label>"Device " <select name="device">{device_options}</select></label>
                <label>"Status " <select name="status">{status_options}</select></label>
                <button type="submit">"Filter"</button>
            </div>
        </Form>
        <p class="small">"Traces YAML with the references accepted here: "
            <a href=routes::traces_yaml(&project, None)>"all devices"</a> {exports}</p>
        <FormError action=accept/>
        {accepted}
        {if empty {
            view! { <p class="empty">"No trace results match."</p> }.into_any()
        } else if any_acceptable {
            view! {
                <AcceptForm accept=accept project=project.clone() class="accept-traces"
                    button="Accept the ticked renderings as references" placeholder="why these renderings are right"
                    ids=move |_: ()| ticked.get_untracked()>
                    {table}
                </AcceptForm>
            }
            .into_any()
        } else {
            table.into_any()
        }}
    }
}
