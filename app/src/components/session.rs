//! The signed-in user and the anti-CSRF token, loaded once per page and
//! shared through context.

use crate::api::get_session;
use crate::error::AppError;
use leptos::prelude::*;
use shared::accounts::SessionView;

#[derive(Clone, Copy)]
pub struct Session {
    pub resource: Resource<Result<SessionView, AppError>>,
    /// Bumped after signing in or out, to load the session again.
    pub version: RwSignal<usize>,
}

pub fn provide_session() {
    let version = RwSignal::new(0usize);
    let resource = Resource::new(move || version.get(), |_| get_session());
    provide_context(Session { resource, version });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

impl Session {
    pub fn reload(&self) {
        self.version.update(|v| *v += 1);
    }

    /// The anti-CSRF token, for a hydrated form calling its server
    /// function itself ("" before the session has loaded).
    pub fn csrf_untracked(&self) -> String {
        self.resource.get_untracked().and_then(Result::ok).map(|s| s.csrf).unwrap_or_default()
    }
}

/// The hidden `csrf` field every state-changing form carries.
#[component]
pub fn CsrfField() -> impl IntoView {
    let session = use_session();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let csrf = session.resource.await.map(|s| s.csrf).unwrap_or_default();
                view! { <input type="hidden" name="csrf" value=csrf/> }
            })}
        </Suspense>
    }
}
