//! Errors and notes around forms, for both hydrated pages (the action's
//! value) and plain HTML posts (the error the server put in the URL when it
//! sent the browser back).

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_router::hooks::use_query_map;

/// The error of the last submission of `action`, if it failed.
#[component]
pub fn FormError<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let query = use_query_map();
    let from_url = move || {
        let q = query.read();
        match (q.get("__path"), q.get("__err")) {
            (Some(path), Some(err)) if path == S::PATH => Some(ServerFnUrlError::<AppError>::decode_err(&err)),
            _ => None,
        }
    };
    let message = move || match action.value().get() {
        Some(Err(e)) => Some(e),
        Some(Ok(_)) => None,
        None => from_url(),
    };
    view! {
        {move || message().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
    }
}

/// "Saved" after a successful submission (hydrated pages only; a plain
/// post shows the page anew).
#[component]
pub fn Saved<S>(action: ServerAction<S>, #[prop(into)] text: String) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    view! {
        {move || matches!(action.value().get(), Some(Ok(_))).then(|| view! { <p class="saved" role="status">{text.clone()}</p> })}
    }
}
