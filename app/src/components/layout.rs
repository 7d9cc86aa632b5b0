use crate::api::Logout;
use crate::components::session::use_session;
use crate::routes;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use shared::accounts::SessionView;

#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if matches!(logout.value().get(), Some(Ok(()))) {
            session.reload();
        }
    });
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
                                    <ActionForm action=logout>
                                        <input type="hidden" name="csrf" value=csrf/>
                                        <button type="submit" class="link">"Sign out"</button>
                                    </ActionForm>
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
