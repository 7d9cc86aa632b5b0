//! A project's quarantined tests: why, by whom, until when, the failures
//! each kept out of the verdict and its clean streak (with the suggestion
//! to lift it once clean long enough), and for members a button that lifts
//! it. A test's result page links here with the test named in the query
//! (`?suite=&classname=&name=`), and members quarantine it with the form
//! shown then. Works with JavaScript off (links and plain form posts).

use super::{path_param, query_param};
use crate::api::{LiftQuarantine, QuarantineTest, QuarantineView, get_quarantine};
use crate::components::error_view::ErrorView;
use crate::components::forms::FormError;
use crate::components::layout::Breadcrumbs;
use crate::components::session::CsrfField;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::analytics::wire::{Quarantine, QuarantineState, test_id};

/// The test the query names, to quarantine.
#[derive(Debug, Clone, PartialEq)]
struct Candidate {
    suite: String,
    classname: String,
    name: String,
}

#[component]
pub fn QuarantinePage() -> impl IntoView {
    let project = path_param("project");
    let state = query_param("state");
    let suite = query_param("suite");
    let classname = query_param("classname");
    let name = query_param("name");
    let lift = ServerAction::<LiftQuarantine>::new();
    let quarantine = ServerAction::<QuarantineTest>::new();
    let data = Resource::new(
        move || (project.get(), state.get(), lift.version().get(), quarantine.version().get()),
        |(project, state, _, _)| get_quarantine(project, state),
    );
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                let all = state.get().as_deref() == Some("all");
                let candidate = name.get().map(|name| Candidate {
                    suite: suite.get().unwrap_or_default(),
                    classname: classname.get().unwrap_or_default(),
                    name,
                });
                match data.await {
                    Ok(v) => view! { <QuarantineList view=v all=all lift=lift candidate=candidate quarantine=quarantine/> }.into_any(),
                    Err(e) => view! { <Title text="Quarantined tests"/> <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn QuarantineList(
    view: QuarantineView,
    all: bool,
    lift: ServerAction<LiftQuarantine>,
    candidate: Option<Candidate>,
    quarantine: ServerAction<QuarantineTest>,
) -> impl IntoView {
    let QuarantineView { project, abilities, list } = view;
    let slug = project.slug.clone();
    // The named test, unless it is quarantined already.
    let offer = candidate.filter(|c| {
        !list.tests.iter().any(|q| {
            q.state == QuarantineState::Active && q.suite == c.suite && q.classname == c.classname && q.name == c.name
        })
    });
    let form_slug = slug.clone();
    let form = (abilities.upload && offer.is_some()).then(move || {
        let slug = form_slug;
        let c = offer.clone().unwrap_or_else(|| Candidate { suite: String::new(), classname: String::new(), name: String::new() });
        view! {
            <section class="quarantine new-quarantine">
                <h2>"Quarantine " <code class="test-id">{test_id(&c.classname, &c.name)}</code></h2>
                <p class="muted small">
                    "Its failures keep being stored and shown, but no longer turn a job or run red; its failures in the last 30 days are re-scored."
                </p>
                <ActionForm action=quarantine>
                    <CsrfField/>
                    <input type="hidden" name="project" value=slug.clone()/>
                    <input type="hidden" name="suite" value=c.suite.clone()/>
                    <input type="hidden" name="classname" value=c.classname.clone()/>
                    <input type="hidden" name="name" value=c.name.clone()/>
                    <label>"Reason " <input name="reason" required maxlength="2000" placeholder="e.g. flaky on CI, bug #123"/></label>
                    " "
                    <label>"Expires "
                        <select name="expires_in_days">
                            <option value="">"never"</option>
                            <option value="7">"in 7 days"</option>
                            <option value="14" selected>"in 14 days"</option>
                            <option value="30">"in 30 days"</option>
                            <option value="90">"in 90 days"</option>
                        </select>
                    </label>
                    " "
                    <button type="submit" class="quarantine-test">"Quarantine"</button>
                </ActionForm>
                <FormError action=quarantine/>
            </section>
        }
    });
    let base = routes::quarantine(&slug);
    let active = list.tests.iter().filter(|q| q.state == QuarantineState::Active).count();
    let can = abilities.upload;
    let rows = list.tests.into_iter().map(|q| view! { <Row q=q slug=slug.clone() can=can lift=lift/> }).collect_view();
    let empty = active == 0 && !all;
    view! {
        <Title text=format!("Quarantined tests · {}", project.name)/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (project.name.clone(), Some(routes::project(&slug))),
            ("Quarantined tests".into(), None),
        ]/>
        <h1>"Quarantined tests"</h1>
        <p class="muted">
            {format!("{active} in force. ")}
            "Their failures are stored and shown as \u{201c}failed (quarantined)\u{201d} but do not turn a job or run red. "
            "Quarantine a test from its result page; CI reads this list with "
            <code>{format!("GET /api/v1/projects/{slug}/quarantine")}</code> " or "
            <code>{format!("assay quarantine list --project {slug}")}</code> ". "
            {format!("Lifting is suggested after {} clean executions.", list.recovery_runs)}
        </p>
        <p class="filters">
            {if all {
                view! { <a href=base.clone()>"In force only"</a> " · " <strong>"Also lifted and expired"</strong> }.into_any()
            } else {
                view! { <strong>"In force only"</strong> " · " <a href=format!("{base}?state=all")>"Also lifted and expired"</a> }.into_any()
            }}
        </p>
        {form}
        <FormError action=lift/>
        {if empty {
            view! { <p class="empty">"No test is quarantined."</p> }.into_any()
        } else {
            view! {
                <table class="list quarantine-list">
                    <thead><tr>
                        <th>"Test"</th><th>"Reason"</th><th>"By, since"</th><th>"Expires"</th>
                        <th class="num">"Failures kept out"</th><th class="num">"Clean runs"</th><th>"State"</th><th></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any()
        }}
    }
}

#[component]
fn Row(q: Quarantine, slug: String, can: bool, lift: ServerAction<LiftQuarantine>) -> impl IntoView {
    let state = q.state;
    let ended = match state {
        QuarantineState::Active => None,
        QuarantineState::Expired => {
            Some(format!("expired {}", q.lifted_at.map(|t| format::time(&t)).unwrap_or_default()))
        }
        QuarantineState::Lifted => Some(format!(
            "lifted by {} {}",
            q.lifted_by.clone().unwrap_or_default(),
            q.lifted_at.map(|t| format::time(&t)).unwrap_or_default()
        )),
    };
    let suite = (!q.suite.is_empty()).then(|| view! { <div class="muted small">{q.suite.clone()}</div> });
    let flaky = format!("{}?q={}", routes::flaky_tests(&slug), routes::encode(&q.name));
    view! {
        <tr class=format!("quarantine-row {}", state.as_str()) data-test=q.test.clone()>
            <td><code class="test-id">{q.test.clone()}</code>{suite}
                <div class="small"><a href=flaky>"flaky record"</a></div></td>
            <td class="reason">{q.reason.clone()}</td>
            <td>{q.created_by.clone()}<div class="muted small">{format::time(&q.created_at)}</div></td>
            <td>{q.expires_at.map(|e| format::time(&e)).unwrap_or_else(|| "never".into())}</td>
            <td class="num">{q.failures}</td>
            <td class="num">{q.clean_runs}
                {q.suggest_lift.then(|| view! { <div class="suggest-lift small">"clean long enough: lift?"</div> })}</td>
            <td class=format!("state {}", state.as_str())>{state.as_str()}
                {ended.map(|e| view! { <div class="muted small">{e}</div> })}</td>
            <td>
                {(can && state == QuarantineState::Active).then(|| view! {
                    <ActionForm action=lift>
                        <CsrfField/>
                        <input type="hidden" name="project" value=slug.clone()/>
                        <input type="hidden" name="id" value=q.id.to_string()/>
                        <button type="submit" class="lift-quarantine">"Lift"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
