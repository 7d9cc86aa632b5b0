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
pub mod lazy_pages;
pub mod pages;
pub mod routes;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, path};

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
            // When the page became live, in ms since navigation began: the
            // figure the browser tests report as "interactive".
            if let Some(now) = window().performance().map(|p| p.now()) {
                // Integer formatting: float formatting would add 20 KB to
                // the WASM every page loads.
                let _ = body.set_attribute("data-hydrated-ms", &(now as i64).to_string());
            }
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/assay.css"/>
        <Title formatter=page_title/>
        <Router>
            <components::layout::Header/>
            <main>
                <Routes fallback=|| view! { <pages::not_found::NotFound/> }>
                    <Route path=path!("/") view={Lazy::<lazy_pages::ProjectsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/compare") view={Lazy::<lazy_pages::CompareRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/compare/tests") view={Lazy::<lazy_pages::CompareTestsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/series") view={Lazy::<lazy_pages::SeriesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/login") view={Lazy::<lazy_pages::LoginRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/account") view={Lazy::<lazy_pages::AccountRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view={Lazy::<lazy_pages::UsersRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/projects") view={Lazy::<lazy_pages::ProjectsAdminRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/settings") view={Lazy::<lazy_pages::SettingsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view={Lazy::<lazy_pages::AuditRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/projects/:project") view={Lazy::<lazy_pages::RunsRoute>::new()} ssr=SsrMode::Async/>
                    <Route
                        path=path!("/projects/:project/settings")
                        view={Lazy::<lazy_pages::ProjectSettingsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/projects/:project/alerts") view={Lazy::<lazy_pages::AlertsRoute>::new()} ssr=SsrMode::Async/>
                    <Route
                        path=path!("/projects/:project/flaky-tests")
                        view={Lazy::<lazy_pages::FlakyTestsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/projects/:project/failure-clusters")
                        view={Lazy::<lazy_pages::ClustersRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/projects/:project/failure-clusters/:id")
                        view={Lazy::<lazy_pages::ClusterRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/projects/:project/quarantine")
                        view={Lazy::<lazy_pages::QuarantineRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/projects/:project/regressions")
                        view={Lazy::<lazy_pages::RegressionsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/projects/:project/regressions/:tag")
                        view={Lazy::<lazy_pages::RegressionRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/projects/:project/runs/:run") view={Lazy::<lazy_pages::RunRoute>::new()} ssr=SsrMode::Async/>
                    <Route
                        path=path!("/projects/:project/runs/:run/jobs/:job")
                        view={Lazy::<lazy_pages::JobRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/projects/:project/runs/:run/jobs/:job/durations")
                        view={Lazy::<lazy_pages::JobDurationsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/projects/:project/runs/:run/jobs/:job/tests/:test/durations")
                        view={Lazy::<lazy_pages::TestDurationsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/projects/:project/runs/:run/jobs/:job/traces")
                        view={Lazy::<lazy_pages::JobTracesRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/projects/:project/runs/:run/jobs/:job/tests/:test")
                        view={Lazy::<lazy_pages::TestRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/projects/:project/runs/:run/jobs/:job/artifacts/:artifact")
                        view={Lazy::<lazy_pages::ArtifactRoute>::new()}
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}
