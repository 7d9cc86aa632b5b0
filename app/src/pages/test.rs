use super::{id_param, path_param};
use crate::api::get_test;
use crate::components::artifacts::ArtifactTable;
use crate::components::cluster::{ClusterName, ClusterReach};
use crate::components::error_view::ErrorView;
use crate::components::layout::Breadcrumbs;
use crate::components::status::TestStatusBadge;
use crate::error::AppError;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::analytics::wire::Quarantine;
use shared::flakiness::Flakiness;
use shared::model::{TestHistoryEntry, TestPage};

#[component]
pub fn TestPage() -> impl IntoView {
    let project = path_param("project");
    let run = id_param("run");
    let job = id_param("job");
    let test = id_param("test");
    let data = Resource::new(
        move || (project.get(), run.get(), job.get(), test.get()),
        |(project, run, job, test)| async move {
            match (run, job, test) {
                (Some(run), Some(job), Some(test)) => get_test(project, run, job, test).await,
                _ => Err(AppError::NotFound("test result not found".into())),
            }
        },
    );
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <Test page=page/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Test(page: TestPage) -> impl IntoView {
    let TestPage { run, job, result, history, artifacts, quarantine: current, can_quarantine } = page;
    let r = result.row.clone();
    let title = if r.name.is_empty() { "(unnamed test)".to_owned() } else { r.name.clone() };
    let location = match (&result.file, result.line) {
        (Some(f), Some(l)) => Some(format!("{f}:{l}")),
        (Some(f), None) => Some(f.clone()),
        _ => None,
    };
    let retry_note = (r.retries > 0).then(|| {
        let attempts = r.retries + 1;
        if r.flaky {
            format!("Passed on a retry: {attempts} attempts, the failure below is from a failed attempt.")
        } else {
            format!("{attempts} attempts.")
        }
    });
    let bad = r.status.is_bad();
    let properties = (!result.properties.is_empty()).then(|| {
        let rows = result
            .properties
            .iter()
            .map(|p| view! { <tr><th scope="row">{p.name.clone()}</th><td>{p.value.clone()}</td></tr> })
            .collect_view();
        view! { <h2>"Properties"</h2><table class="props"><tbody>{rows}</tbody></table> }
    });
    view! {
        <Title text=format!("{title} · {}", run.name)/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (run.project.clone(), Some(routes::project(&run.project))),
            (run.name.clone(), Some(routes::run(&run.project, run.id))),
            (job.name.clone(), Some(routes::job(&run.project, run.id, job.id))),
            (title.clone(), None),
        ]/>
        <h1 class="test-name"><TestStatusBadge status=r.status flaky=r.flaky/> " " {title.clone()}</h1>
        <dl class="meta">
            {(!r.suite.is_empty()).then(|| view! { <dt>"Suite"</dt><dd>{r.suite.clone()}</dd> })}
            {(!r.classname.is_empty()).then(|| view! { <dt>"Class"</dt><dd>{r.classname.clone()}</dd> })}
            <dt>"Duration"</dt><dd>{format::opt_duration(r.duration_s)} " "
                <a class="duration-history-link small" href=routes::test_durations(&run.project, run.id, job.id, r.id)>"history chart"</a></dd>
            {location.map(|l| view! { <dt>"Location"</dt><dd><code>{l}</code></dd> })}
            {r.failure_type.clone().map(|t| view! { <dt>"Failure type"</dt><dd><code>{t}</code></dd> })}
        </dl>
        {retry_note.map(|n| view! { <p class="note">{n}</p> })}
        {r.cluster.clone().map(|c| {
            let slug = run.project.clone();
            view! {
                <p class="note test-cluster">"Failure cluster: " <ClusterName cluster=c.clone() slug=slug.clone()/> " — "
                    <ClusterReach cluster=c slug=slug/></p>
            }
        })}
        {r.quarantined.then(|| view! {
            <p class="note quarantined-failure">"This failure is quarantined: it did not turn the job red."</p>
        })}
        <QuarantineBox
            project=run.project.clone()
            suite=r.suite.clone()
            classname=r.classname.clone()
            name=r.name.clone()
            current=current
            can=can_quarantine
        />
        {r.message.clone().map(|m| view! {
            <h2>"Message"</h2>
            <pre class="message-block" data-field="message">{m}</pre>
        })}
        {result.details.clone().map(|d| view! {
            <h2>{if bad || r.flaky { "Stack trace" } else { "Details" }}</h2>
            <pre class="trace" data-field="details">{d}</pre>
        })}
        {result.stdout.clone().map(|o| view! {
            <details open=bad><summary>"Standard output"</summary><pre data-field="stdout">{o}</pre></details>
        })}
        {result.stderr.clone().map(|o| view! {
            <details open=bad><summary>"Standard error"</summary><pre data-field="stderr">{o}</pre></details>
        })}
        {properties}
        {(!artifacts.is_empty()).then(|| view! {
            <section class="artifacts">
                <h2>"Artifacts"</h2>
                <ArtifactTable artifacts=artifacts run=run.id/>
            </section>
        })}
        <History history=history current=result.row.id project=run.project.clone() branch=run.branch.clone()/>
    }
}

/// The test's quarantine, or (members) a link to quarantine it: the forms
/// live on the project's quarantine page, so that the job and test pages'
/// WASM carries no form code.
#[component]
fn QuarantineBox(
    project: String,
    suite: String,
    classname: String,
    name: String,
    current: Option<Quarantine>,
    can: bool,
) -> impl IntoView {
    let list = routes::quarantine(&project);
    match current {
        Some(q) => {
            let expiry = q.expires_at.map(|e| format!(", until {}", format::time(&e))).unwrap_or_default();
            let suggest = q.suggest_lift.then(|| {
                view! { <p class="suggest-lift">{format!("Clean for {} executions: consider lifting it.", q.clean_runs)}</p> }
            });
            view! {
                <section class="quarantine active" data-quarantine=q.id.to_string()>
                    <h2>"Quarantined"</h2>
                    <p>
                        "By " {q.created_by.clone()} " since " {format::time(&q.created_at)} {expiry} ": "
                        <span class="reason">{q.reason.clone()}</span>
                    </p>
                    <p class="muted small">
                        {format!("{} failures kept out of the verdict; {} clean executions since the last failure. ", q.failures, q.clean_runs)}
                        <a class="quarantine-list-link" href=list>{if can { "Lift it on the quarantine page" } else { "All quarantined tests" }}</a>
                    </p>
                    {suggest}
                </section>
            }
            .into_any()
        }
        None if can => {
            let href = format!(
                "{list}{}",
                routes::query(&[("suite", Some(suite)), ("classname", Some(classname)), ("name", Some(name))])
            );
            view! {
                <p class="quarantine-offer">
                    <a class="quarantine-test-link" href=href>"Quarantine this test…"</a>
                    <span class="muted small">" its failures would no longer turn jobs red"</span>
                </p>
            }
            .into_any()
        }
        None => ().into_any(),
    }
}

#[component]
fn History(history: Vec<TestHistoryEntry>, current: i64, project: String, branch: Option<String>) -> impl IntoView {
    let stats = Flakiness::of(history.iter().map(|h| (h.status, h.flaky)));
    let where_ = match &branch {
        Some(b) => format!("on branch {b}"),
        None => "in runs without a branch".to_owned(),
    };
    let verdict = if stats.executed == 0 {
        "No executed results yet.".to_owned()
    } else {
        format!(
            "Last {} results {where_}: {} passed, {} failed{}; {}.",
            history.len(),
            stats.passed,
            stats.failed,
            if stats.flaky_passes > 0 { format!(" ({} passed on retry)", stats.flaky_passes) } else { String::new() },
            match (stats.is_flaky(), stats.flip_rate()) {
                (true, Some(rate)) => format!("flaky — it changed outcome in {rate:.0}% of consecutive results"),
                (true, None) => "flaky".to_owned(),
                (false, _) if stats.failed == 0 => "stable".to_owned(),
                (false, _) => "failing consistently".to_owned(),
            }
        )
    };
    let rows = history
        .into_iter()
        .map(|h| {
            let href = routes::test(&project, h.run_id, h.job_id, h.result_id);
            let is_current = h.result_id == current;
            view! {
                <tr class:current=is_current>
                    <td><a href=href>{h.run_name.clone()}</a>{is_current.then(|| view! { " " <span class="muted">"(this result)"</span> })}</td>
                    <td>{h.job_name.clone()}</td>
                    <td><TestStatusBadge status=h.status flaky=h.flaky/></td>
                    <td class="num">{format::opt_duration(h.duration_s)}</td>
                    <td>{h.revision.as_deref().map(format::revision).unwrap_or_default()}</td>
                    <td class="when">{format::time(&h.created_at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="history">
            <h2>"History"</h2>
            <p class="verdict">{verdict}</p>
            <table class="list">
                <thead><tr><th>"Run"</th><th>"Job"</th><th>"Status"</th><th class="num">"Time"</th><th>"Revision"</th><th>"When"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
