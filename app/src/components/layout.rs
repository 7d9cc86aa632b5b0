use crate::api::{Logout, logout};
use crate::components::session::use_session;
use crate::routes;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use shared::accounts::SessionView;

/// Where a plain (JavaScript off) sign-out form posts.
const LOGOUT_PATH: &str = <Logout as leptos::server_fn::ServerFn>::PATH;

#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    // A plain form (it works with JavaScript off); hydrated, it calls the
    // server function itself. `ActionForm` would decode the form's fields
    // in the browser, and that decoder is 20 KB of WASM on every page.
    let sign_out = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let csrf = session.csrf_untracked();
        leptos::task::spawn_local(async move {
            if logout(csrf).await.is_ok() {
                session.reload();
            }
        });
    };
    let location = use_location();
    view! {
        <header class="top">
            <a class="brand" href="/">"Assay"</a>
            <nav>
                <a href="/">"Projects"</a>
                <a href="/api/docs/" rel="external">"API"</a>
            </nav>
            <div class="account">
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match session.resource.await {
                            Ok(SessionView { user: Some(user), csrf, .. }) => {
                                view! {
                                    {user.is_admin.then(|| view! { <a href="/admin/users" data-nav="admin">"Admin"</a> })}
                                    <a href="/account" class="who" data-nav="account">{user.username.clone()}</a>
                                    <form method="post" action=LOGOUT_PATH on:submit=sign_out>
                                        <input type="hidden" name="csrf" value=csrf/>
                                        <button type="submit" class="link">"Sign out"</button>
                                    </form>
                                }
                                .into_any()
                            }
                            _ => {
                                let next = location.pathname.get_untracked();
                                let href = if next.starts_with("/login") { "/login".to_owned() } else { routes::login(&next) };
                                view! { <a href=href data-nav="login">"Sign in"</a> }.into_any()
                            }
                        }
                    })}
                </Suspense>
            </div>
        </header>
    }
}

/// `Projects › web › run 1234 › linux`: the last item is the current page.
#[component]
pub fn Breadcrumbs(items: Vec<(String, Option<String>)>) -> impl IntoView {
    let last = items.len().saturating_sub(1);
    let crumbs = items
        .into_iter()
        .enumerate()
        .map(|(i, (label, href))| match href {
            Some(href) if i != last => view! { <li><a href=href>{label}</a></li> }.into_any(),
            _ => view! { <li aria-current="page">{label}</li> }.into_any(),
        })
        .collect_view();
    view! {
        <nav aria-label="Breadcrumb" class="crumbs">
            <ol>{crumbs}</ol>
        </nav>
    }
}
