//! The browser side of Assay's UI: hydrates the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy (per-page) routes hydrate once their chunk has loaded.
    leptos::mount::hydrate_lazy(app::App);
}
