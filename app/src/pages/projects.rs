use crate::api::list_projects;
use crate::components::counts::{CountsBar, CountsFigures};
use crate::components::error_view::ErrorView;
use crate::components::status::RunStatusBadge;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::model::Project;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let projects = Resource::new(|| (), |_| list_projects());
    view! {
        <Title text="Projects"/>
        <h1>"Projects"</h1>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(list) if list.is_empty() => view! { <NoProjects/> }.into_any(),
                    Ok(list) => view! { <ProjectTable projects=list/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NoProjects() -> impl IntoView {
    view! {
        <section class="empty">
            <p>"No projects yet. Create one and a token for CI on the server:"</p>
            <pre><code>"assay project create my-project\nassay token create my-project"</code></pre>
            <p>"then upload results with " <code>"assay upload"</code> " or curl (see " <a href="/api/docs/">"the API"</a> ")."</p>
        </section>
    }
}

#[component]
fn ProjectTable(projects: Vec<Project>) -> impl IntoView {
    let rows = projects
        .into_iter()
        .map(|p| {
            let href = routes::project(&p.slug);
            let latest = p.latest_run.map(|r| {
                let run_href = routes::run(&p.slug, r.id);
                view! {
                    <td><a href=run_href>{r.name.clone()}</a> " " <RunStatusBadge status=r.status/></td>
                    <td><CountsFigures counts=r.counts/> <CountsBar counts=r.counts/></td>
                    <td class="when">{format::time(&r.created_at)}</td>
                }
                .into_any()
            });
            let latest = latest.unwrap_or_else(|| view! { <td colspan="3" class="muted">"no runs yet"</td> }.into_any());
            view! {
                <tr>
                    <td><a class="project-link" href=href>{p.name.clone()}</a><div class="muted small">{p.slug.clone()}</div></td>
                    <td class="num">{p.run_count}</td>
                    {latest}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list projects">
            <thead><tr><th>"Project"</th><th class="num">"Runs"</th><th>"Latest run"</th><th>"Tests"</th><th>"When"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
