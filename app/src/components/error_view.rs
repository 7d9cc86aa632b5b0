use crate::error::AppError;
use leptos::prelude::*;

/// An error in place of a page's content; sets the HTTP status on the
/// server-rendered response.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(error.status());
        }
    }
    let sign_in = matches!(error, AppError::Unauthorized(_)).then(|| {
        let next = leptos_router::hooks::use_location().pathname.get_untracked();
        view! { <p><a href=crate::routes::login(&next)>"Sign in"</a></p> }
    });
    view! {
        <section class="error-box" role="alert">
            <h2>{error.title()}</h2>
            <p>{error.to_string()}</p>
            {sign_in}
            <p><a href="/">"Back to all projects"</a></p>
        </section>
    }
}
