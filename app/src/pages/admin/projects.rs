use super::AdminPage;
use crate::api::{CreateProject, list_projects};
use crate::components::error_view::ErrorView;
use crate::components::forms::FormError;
use crate::components::session::CsrfField;
use crate::routes;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProjectsAdminPage() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let projects = Resource::new(move || create.version().get(), |_| list_projects());
    view! {
        <Title text="Projects · Administration"/>
        <AdminPage current="projects">
        <h2>"New project"</h2>
        <ActionForm action=create>
            <CsrfField/>
            <label>"Slug " <input name="slug" required pattern="[a-z0-9][a-z0-9._\\-]*" maxlength="64" placeholder="web-app"/></label>
            <label>"Name " <input name="name" maxlength="255" placeholder="Web app"/></label>
            <button type="submit">"Create project"</button>
        </ActionForm>
        <FormError action=create/>
        <h2>"All projects"</h2>
        <Suspense fallback=super::super::loading>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(list) => {
                        let rows = list
                            .into_iter()
                            .map(|p| view! {
                                <tr data-project=p.slug.clone()>
                                    <td><a href=routes::project(&p.slug)>{p.name.clone()}</a></td>
                                    <td><code>{p.slug.clone()}</code></td>
                                    <td>{if p.archived { "archived" } else { "active" }}</td>
                                    <td class="num">{p.run_count}</td>
                                    <td><a href=routes::settings(&p.slug)>"Settings"</a></td>
                                </tr>
                            })
                            .collect_view();
                        view! {
                            <table class="list">
                                <thead><tr><th>"Name"</th><th>"Slug"</th><th>"State"</th><th class="num">"Runs"</th><th></th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
        </AdminPage>
    }
}
