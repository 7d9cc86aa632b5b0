//! Assay's user interface: Leptos components rendered on the server and
//! hydrated in the browser. Every page reads through a server function
//! (in [`api`]) that asks the server's [`backend::Backend`]; every page
//! works with JavaScript off, since filters are GET forms and pagination
//! is links.

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod components;
pub mod cookies;
pub mod error;
pub mod flash;
pub mod format;
pub mod pages;
pub mod routes;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.ico"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The document title. Titles hold names users chose (runs, jobs, tests,
/// projects), and leptos_meta writes the server-rendered `<title>` without
/// escaping it, so it is escaped here, on the server only (the browser sets
/// `document.title` as plain text).
fn page_title(title: String) -> String {
    let title = if title.is_empty() { "Assay".to_owned() } else { format!("{title} · Assay") };
    #[cfg(feature = "ssr")]
    let title = html_escape::encode_text(&title).into_owned();
    title
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::session::provide_session();
    // Tells end-to-end tests (and curious users) that the page is live.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/assay.css"/>
        <Title formatter=page_title/>
        <Router>
            <components::layout::Header/>
            <main>
                <Routes fallback=|| view! { <pages::not_found::NotFound/> }>
                    <Route path=path!("/") view=pages::projects::ProjectsPage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=pages::login::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=pages::account::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=pages::admin::users::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/projects") view=pages::admin::projects::ProjectsAdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/settings") view=pages::admin::settings::SettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=pages::admin::audit::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/projects/:project") view=pages::runs::RunsPage ssr=SsrMode::Async/>
                    <Route
                        path=path!("/projects/:project/settings")
                        view=pages::project_settings::ProjectSettingsPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/projects/:project/runs/:run") view=pages::run::RunPage ssr=SsrMode::Async/>
                    <Route
                        path=path!("/projects/:project/runs/:run/jobs/:job")
                        view=pages::job::JobPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/projects/:project/runs/:run/jobs/:job/tests/:test")
                        view=pages::test::TestPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/projects/:project/runs/:run/jobs/:job/artifacts/:artifact")
                        view=pages::artifact::ArtifactPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}
