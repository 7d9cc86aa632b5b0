use crate::error::AppError;
use leptos::prelude::*;

/// An error in place of a page's content; sets the HTTP status on the
/// server-rendered response.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        use http::StatusCode;
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(match &error {
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::Internal(_) | AppError::Call(_) => StatusCode::INTERNAL_SERVER_ERROR,
            });
        }
    }
    view! {
        <section class="error-box" role="alert">
            <h2>{error.title()}</h2>
            <p>{error.to_string()}</p>
            <p><a href="/">"Back to all projects"</a></p>
        </section>
    }
}
