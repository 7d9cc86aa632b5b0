use super::query_param;
use crate::api::Login;
use crate::components::forms::FormError;
use crate::components::session::{CsrfField, use_session};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let session = use_session();
    Effect::new(move |_| {
        if matches!(login.value().get(), Some(Ok(()))) {
            session.reload();
        }
    });
    let next = query_param("next");
    view! {
        <Title text="Sign in"/>
        <section class="narrow">
            <h1>"Sign in"</h1>
            <ActionForm action=login>
                <div class="stacked">
                    <CsrfField/>
                    <input type="hidden" name="next" value=move || next.get().unwrap_or_default()/>
                    <label>"Username" <input name="username" autocomplete="username" required/></label>
                    <label>"Password" <input type="password" name="password" autocomplete="current-password" required/></label>
                    <button type="submit">"Sign in"</button>
                </div>
            </ActionForm>
            <FormError action=login/>
        </section>
    }
}
