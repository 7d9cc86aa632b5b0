//! Expected vs actual: side by side, overlay with a slider, blink, and the
//! pixel diff, computed here in the browser by `shared::pixeldiff` (the
//! code `assay diff` runs natively). The browser decodes the images; their
//! RGBA goes to the diff, which runs again whenever the threshold, the
//! anti-aliasing switch or the ignore regions change. Zoom and scroll are
//! one state for every view, and a pixel inspector shows both images'
//! RGBA under the cursor.
//!
//! With JavaScript off the page shows the two images side by side and the
//! ignore regions as text a member can edit and save.

use crate::api::{SaveIgnoreRegions, format_regions, parse_regions};
use crate::components::forms::{FormError, Saved};
use crate::components::session::{CsrfField, use_session};
use crate::routes;
use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use shared::pixeldiff::{Region, Stats};
use shared::traces::model::TraceImage;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Side,
    Overlay,
    Blink,
    Diff,
}

impl Mode {
    const ALL: [Mode; 4] = [Mode::Side, Mode::Overlay, Mode::Blink, Mode::Diff];

    fn as_str(self) -> &'static str {
        match self {
            Mode::Side => "side",
            Mode::Overlay => "overlay",
            Mode::Blink => "blink",
            Mode::Diff => "diff",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Mode::Side => "Side by side",
            Mode::Overlay => "Overlay",
            Mode::Blink => "Blink",
            Mode::Diff => "Pixel diff",
        }
    }
}

/// Zoom levels, as multiples of the image's own pixels, and as shown.
const ZOOMS: [f64; 9] = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
const ZOOM_LABELS: [&str; 9] = ["12.5%", "25%", "50%", "100%", "200%", "400%", "800%", "1600%", "3200%"];

/// A threshold as typed (`0.05`, `.1`, `1`), in hundredths: parsed by hand,
/// since the standard float parser's tables would add about 10 KB to the
/// WASM every page loads. `None` past 1 or with more than two decimals.
pub fn parse_hundredths(s: &str) -> Option<u32> {
    let (int, frac) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
    if int.is_empty() && frac.is_empty() || frac.len() > 2 {
        return None;
    }
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) {
        return None;
    }
    let whole: u32 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac: u32 = if frac.is_empty() { 0 } else { frac.parse::<u32>().ok()? * if frac.len() == 1 { 10 } else { 1 } };
    let v = whole.checked_mul(100)?.checked_add(frac)?;
    (v <= 100).then_some(v)
}

/// The widest an image is first shown, in CSS pixels.
const FIRST_WIDTH: f64 = 1000.0;

/// One image's decoded pixels.
#[derive(Debug, Clone)]
struct Rgba {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

impl Rgba {
    fn at(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        self.data.get(i..i + 4).map(|p| [p[0], p[1], p[2], p[3]])
    }
}

#[derive(Debug, Clone)]
struct Pixels {
    expected: Rgba,
    actual: Rgba,
}

/// What the diff found, or why it could not run (found in the browser only).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Diff { stats: Stats, ms: f64 },
    Failed(String),
}

fn rgba_text(p: Option<[u8; 4]>) -> String {
    match p {
        Some([r, g, b, a]) => format!("rgba({r}, {g}, {b}, {a})"),
        None => "outside the image".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_hundredths;

    #[test]
    fn thresholds_in_hundredths() {
        for (s, want) in [("0.05", Some(5)), (".1", Some(10)), ("0.1", Some(10)), ("1", Some(100)), ("0", Some(0))] {
            assert_eq!(parse_hundredths(s), want, "{s}");
        }
        for s in ["1.5", "0.005", "", ".", "-0.1", "a", "2"] {
            assert_eq!(parse_hundredths(s), None, "{s}");
        }
    }
}

#[component]
pub fn TraceViewer(
    expected: TraceImage,
    actual: TraceImage,
    regions: Vec<Region>,
    project: String,
    trace: i64,
    can_edit: bool,
    /// In hundredths.
    threshold: Option<u32>,
    include_aa: bool,
) -> impl IntoView {
    let (w, h) = (expected.width, expected.height);
    let mode = RwSignal::new(Mode::Side);
    // In hundredths (pixelmatch's default 0.1 is 10).
    let threshold = RwSignal::new(threshold.unwrap_or(10));
    let include_aa = RwSignal::new(include_aa);
    let first_zoom = ZOOMS.iter().rposition(|z| f64::from(w) * z <= FIRST_WIDTH).unwrap_or(0);
    let zoom = RwSignal::new(first_zoom);
    let split = RwSignal::new(50u32);
    let regions_text = RwSignal::new(format_regions(&regions));
    let regions = RwSignal::new(regions);
    let regions_error = RwSignal::new(None::<String>);
    let drawing = RwSignal::new(false);
    let draft = RwSignal::new(None::<((u32, u32), (u32, u32))>);
    let inspector = RwSignal::new(None::<(u32, u32)>);
    let pixels = StoredValue::new(None::<Pixels>);
    let loaded = RwSignal::new(None::<Result<(), String>>);
    let outcome = RwSignal::new(None::<Outcome>);
    // Diffs computed so far: tells a benchmark (or a test) that one ran.
    let runs = StoredValue::new(0u64);
    let scroll = StoredValue::new((0i32, 0i32));
    let diff_canvas = NodeRef::<Canvas>::new();
    let panes: [NodeRef<Div>; 5] = [NodeRef::new(), NodeRef::new(), NodeRef::new(), NodeRef::new(), NodeRef::new()];
    let expected_url = routes::image(&expected.sha256);
    let actual_url = routes::image(&actual.sha256);

    #[cfg(feature = "hydrate")]
    {
        // The diff image's buffer, kept between diffs.
        let diff_out = StoredValue::new(Vec::<u8>::new());
        let (e_url, a_url) = (expected_url.clone(), actual_url.clone());
        Effect::new(move |_| {
            let (e_url, a_url) = (e_url.clone(), a_url.clone());
            leptos::task::spawn_local(async move {
                let got = async {
                    let expected = browser::rgba(&e_url).await?;
                    let actual = browser::rgba(&a_url).await?;
                    Ok::<_, String>(Pixels { expected, actual })
                }
                .await;
                match got {
                    Ok(p) => {
                        pixels.set_value(Some(p));
                        loaded.set(Some(Ok(())));
                    }
                    Err(e) => loaded.set(Some(Err(e))),
                }
            });
        });
        // The diff, again whenever what it depends on changes.
        Effect::new(move |_| {
            let options = shared::pixeldiff::Options {
                threshold: f64::from(threshold.get()) / 100.0,
                include_aa: include_aa.get(),
                ..Default::default()
            };
            let regions = regions.get();
            if !matches!(loaded.get(), Some(Ok(()))) {
                return;
            }
            let result = pixels.with_value(|p| {
                let p = p.as_ref()?;
                let (e, a) = (&p.expected, &p.actual);
                if (e.width, e.height) != (a.width, a.height) {
                    return Some(Outcome::Failed(format!(
                        "The images differ in size (expected {}×{}, actual {}×{}): there is no pixel diff.",
                        e.width, e.height, a.width, a.height
                    )));
                }
                // The buffer is kept between diffs (the diff writes every pixel).
                let mut out = diff_out.try_update_value(std::mem::take).unwrap_or_default();
                out.resize(e.data.len(), 0);
                let start = browser::now();
                let r =
                    shared::pixeldiff::diff(&e.data, &a.data, Some(&mut out), e.width, e.height, &options, &regions);
                let ms = browser::now() - start;
                let outcome = match r {
                    Ok(stats) => match diff_canvas.get_untracked() {
                        Some(canvas) => match browser::paint(&canvas, e.width, e.height, &out) {
                            Ok(()) => Outcome::Diff { stats, ms },
                            Err(e) => Outcome::Failed(e),
                        },
                        None => Outcome::Diff { stats, ms },
                    },
                    Err(e) => Outcome::Failed(e.to_string()),
                };
                diff_out.set_value(out);
                Some(outcome)
            });
            if let Some(r) = result {
                runs.update_value(|n| *n += 1);
                outcome.set(Some(r));
            }
        });
        // A view shown anew takes the scroll position the others have.
        Effect::new(move |_| {
            mode.track();
            zoom.track();
            let (left, top) = scroll.get_value();
            for p in panes {
                if let Some(el) = p.get_untracked() {
                    el.set_scroll_left(left);
                    el.set_scroll_top(top);
                }
            }
        });
    }

    let on_scroll = move |i: usize| {
        let Some(src) = panes[i].get_untracked() else { return };
        let (left, top) = (src.scroll_left(), src.scroll_top());
        if !src.is_connected() || src.client_width() == 0 {
            return;
        }
        scroll.set_value((left, top));
        for (j, p) in panes.iter().enumerate() {
            if j != i
                && let Some(el) = p.get_untracked()
                && (el.scroll_left() != left || el.scroll_top() != top)
            {
                el.set_scroll_left(left);
                el.set_scroll_top(top);
            }
        }
    };

    // Image pixel under the pointer, from the stage's box.
    let pixel_at = move |ev: &leptos::ev::MouseEvent| -> Option<(u32, u32)> {
        use leptos::wasm_bindgen::JsCast;
        let el: leptos::web_sys::Element = ev.current_target()?.dyn_into().ok()?;
        let rect = el.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            return None;
        }
        let x = ((f64::from(ev.client_x()) - rect.left()) / rect.width() * f64::from(w)).floor();
        let y = ((f64::from(ev.client_y()) - rect.top()) / rect.height() * f64::from(h)).floor();
        Some((x.clamp(0.0, f64::from(w - 1)) as u32, y.clamp(0.0, f64::from(h - 1)) as u32))
    };
    let set_regions = move |r: Vec<Region>| {
        regions_text.set(format_regions(&r));
        regions_error.set(None);
        regions.set(r);
    };
    let on_down = move |ev: leptos::ev::MouseEvent| {
        if drawing.get_untracked()
            && let Some(p) = pixel_at(&ev)
        {
            ev.prevent_default();
            draft.set(Some((p, p)));
        }
    };
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let p = pixel_at(&ev);
        inspector.set(p);
        if let (Some(p), Some((start, _))) = (p, draft.get_untracked()) {
            draft.set(Some((start, p)));
        }
    };
    // Overshooting the image's edge while dragging ends the region there.
    let finish = move || {
        if let Some(((x0, y0), (x1, y1))) = draft.get_untracked() {
            draft.set(None);
            let r = Region { x: x0.min(x1), y: y0.min(y1), width: x0.abs_diff(x1) + 1, height: y0.abs_diff(y1) + 1 };
            let mut all = regions.get_untracked();
            all.push(r);
            set_regions(all);
        }
    };
    let on_up = move |_ev: leptos::ev::MouseEvent| finish();
    let on_leave = move |_ev: leptos::ev::MouseEvent| {
        inspector.set(None);
        finish();
    };
    let pct = move |v: u32, of: u32| f64::from(v) / f64::from(of.max(1)) * 100.0;
    let rect_style = move |r: Region| {
        format!(
            "left:{:.4}%;top:{:.4}%;width:{:.4}%;height:{:.4}%",
            pct(r.x, w),
            pct(r.y, h),
            pct(r.width, w),
            pct(r.height, h)
        )
    };
    let overlays = move || {
        let mut shown: Vec<(Region, &'static str)> = regions.get().into_iter().map(|r| (r, "ignore-region")).collect();
        if let Some(((x0, y0), (x1, y1))) = draft.get() {
            let r = Region { x: x0.min(x1), y: y0.min(y1), width: x0.abs_diff(x1) + 1, height: y0.abs_diff(y1) + 1 };
            shown.push((r, "ignore-region draft"));
        }
        shown.into_iter().map(|(r, class)| view! { <div class=class style=rect_style(r)></div> }).collect_view()
    };
    let stage_width = move || format!("{}px", (f64::from(w) * ZOOMS[zoom.get()]).round() as u64);
    let stage_class = move || {
        let mut c = "stage".to_owned();
        if ZOOMS[zoom.get()] >= 1.0 {
            c.push_str(" pixelated");
        }
        if drawing.get() {
            c.push_str(" drawing");
        }
        c
    };
    let image = move |url: String, alt: &'static str| {
        view! { <img src=url alt=alt crossorigin="anonymous" draggable="false" width=w.to_string() height=h.to_string()/> }
    };
    let stage = move |inner: AnyView| {
        view! {
            <div class=stage_class style:width=stage_width
                on:mousedown=on_down on:mousemove=on_move on:mouseup=on_up on:mouseleave=on_leave>
                {inner}
                {overlays}
            </div>
        }
    };
    let pane_class = move |m: Mode| move || if mode.get() == m { "pane" } else { "pane hidden" };

    let mode_buttons = Mode::ALL
        .into_iter()
        .map(|m| {
            view! {
                <button type="button" class="mode" data-mode=m.as_str()
                    aria-pressed=move || (mode.get() == m).to_string()
                    on:click=move |_| mode.set(m)>{m.label()}</button>
            }
        })
        .collect_view();
    let count = move || match outcome.get() {
        Some(Outcome::Diff { stats, ms }) => {
            let text = format!(
                "{} differing pixels ({:.3}%) · {} anti-aliased · {} ignored · {:.1} ms",
                stats.differing,
                stats.percent(),
                stats.antialiased,
                stats.ignored,
                ms
            );
            view! {
                <p class="diff-count" data-differing=stats.differing.to_string() data-ms=format!("{ms:.2}")
                    data-run=runs.get_value().to_string() role="status">{text}</p>
            }
            .into_any()
        }
        Some(Outcome::Failed(e)) => view! { <p class="diff-count form-error" role="alert">{e}</p> }.into_any(),
        None => match loaded.get() {
            Some(Err(e)) => view! { <p class="diff-count form-error" role="alert">{e}</p> }.into_any(),
            _ => view! { <p class="diff-count js-only">"Computing the pixel diff…"</p> }.into_any(),
        },
    };
    let inspected = move || {
        let (x, y) = inspector.get()?;
        loaded.track();
        let (e, a) = pixels.with_value(|p| p.as_ref().map(|p| (p.expected.at(x, y), p.actual.at(x, y))))?;
        Some(view! {
            <span>{format!("x {x}, y {y}")}</span> " · expected " <code>{rgba_text(e)}</code>
            " · actual " <code>{rgba_text(a)}</code>
            {(e != a).then(|| view! { " · " <strong>"differs"</strong> })}
        })
    };
    let session = use_session();
    let save = ServerAction::<SaveIgnoreRegions>::new();
    let slug = project.clone();
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if regions_error.get_untracked().is_some() {
            return;
        }
        let csrf = session.csrf_untracked();
        save.dispatch(SaveIgnoreRegions {
            csrf,
            project: slug.clone(),
            trace,
            regions: format_regions(&regions.get_untracked()),
        });
    };
    let initial_text = regions_text.get_untracked();
    let regions_form = view! {
        <form method="post" action=SaveIgnoreRegions::PATH class="ignore-regions" on:submit=on_save>
            <CsrfField/>
            <input type="hidden" name="project" value=project.clone()/>
            <input type="hidden" name="trace" value=trace.to_string()/>
            <label for="ignore-regions">"Ignore regions, one a line: x y width height (image pixels)"</label>
            <textarea id="ignore-regions" name="regions" rows="3" readonly=!can_edit
                prop:value=move || regions_text.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    match parse_regions(&text) {
                        Ok(r) => {
                            regions_error.set(None);
                            regions.set(r);
                        }
                        Err(e) => regions_error.set(Some(e)),
                    }
                    regions_text.set(text);
                }>{initial_text}</textarea>
            {move || regions_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="filters">
                {can_edit.then(|| view! { <button type="submit">"Save ignore regions"</button> })}
                <button type="button" class="js-only" on:click=move |_| set_regions(Vec::new())>"Clear"</button>
            </div>
            <FormError action=save/>
            <Saved action=save text="Ignore regions saved: every later comparison of this trace leaves them out."/>
        </form>
    }
    .into_any();

    let controls = view! {
            <div class="viewer-controls js-only">
                <span class="modes" role="group" aria-label="How to compare">{mode_buttons}</span>
                <label>"Threshold "
                    <input type="range" name="threshold" min="0" max="1" step="0.01" aria-label="threshold"
                        prop:value=move || format!("{:.2}", f64::from(threshold.get()) / 100.0)
                        on:input=move |ev| {
                            if let Some(t) = parse_hundredths(&event_target_value(&ev)) {
                                threshold.set(t);
                            }
                        }/>
                    <output>{move || format!("{:.2}", f64::from(threshold.get()) / 100.0)}</output>
                </label>
                <label><input type="checkbox" name="aa" prop:checked=move || !include_aa.get()
                    on:change=move |ev| include_aa.set(!event_target_checked(&ev))/>" Detect anti-aliasing"</label>
                <span class="zoom" role="group" aria-label="Zoom">
                    <button type="button" aria-label="zoom out" disabled=move || zoom.get() == 0
                        on:click=move |_| zoom.update(|z| *z = z.saturating_sub(1))>"−"</button>
                    <output class="zoom-level">{move || ZOOM_LABELS[zoom.get()]}</output>
                    <button type="button" aria-label="zoom in" disabled=move || zoom.get() + 1 == ZOOMS.len()
                        on:click=move |_| zoom.update(|z| *z = (*z + 1).min(ZOOMS.len() - 1))>"+"</button>
                </span>
                <button type="button" class="draw" aria-pressed=move || drawing.get().to_string()
                    on:click=move |_| drawing.update(|d| *d = !*d)>"Draw ignore regions"</button>
            </div>
    }
    .into_any();
    let views = view! {
            <div class="views">
                <div class="side-by-side" class:hidden=move || mode.get() != Mode::Side>
                    <figure>
                        <figcaption>"Expected " <a href=expected_url.clone()>{format!("{}×{}", expected.width, expected.height)}</a></figcaption>
                        <div class="pane" node_ref=panes[0] on:scroll=move |_| on_scroll(0)>{stage(image(expected_url.clone(), "expected").into_any())}</div>
                    </figure>
                    <figure>
                        <figcaption>"Actual " <a href=actual_url.clone()>{format!("{}×{}", actual.width, actual.height)}</a></figcaption>
                        <div class="pane" node_ref=panes[1] on:scroll=move |_| on_scroll(1)>{stage(image(actual_url.clone(), "actual").into_any())}</div>
                    </figure>
                </div>
                <div class=pane_class(Mode::Overlay) node_ref=panes[2] on:scroll=move |_| on_scroll(2)>
                    {stage(view! {
                        {image(expected_url.clone(), "expected")}
                        <div class="overlay-top" style:clip-path=move || format!("inset(0 0 0 {}%)", split.get())>
                            {image(actual_url.clone(), "actual")}
                        </div>
                        <div class="overlay-split" style:left=move || format!("{}%", split.get())></div>
                    }.into_any())}
                </div>
                <label class=move || if mode.get() == Mode::Overlay { "split" } else { "split hidden" }>
                    "Expected ◂ " <input type="range" min="0" max="100" aria-label="overlay split" prop:value=move || split.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                                split.set(v.min(100));
                            }
                        }/> " ▸ actual"
                </label>
                <div class=pane_class(Mode::Blink) node_ref=panes[3] on:scroll=move |_| on_scroll(3)>
                    {stage(view! {
                        {image(expected_url.clone(), "expected")}
                        <div class="blink-top">{image(actual_url.clone(), "actual")}</div>
                    }.into_any())}
                </div>
                <div class=pane_class(Mode::Diff) node_ref=panes[4] on:scroll=move |_| on_scroll(4)>
                    {stage(view! { <canvas node_ref=diff_canvas class="diff-canvas" width=w.to_string() height=h.to_string()></canvas> }.into_any())}
                </div>
            </div>
    }
    .into_any();

    view! {
        <div class="viewer" data-mode=move || mode.get().as_str()>
            {controls}
            {count}
            <noscript><p class="muted">"The pixel diff runs in the browser: with JavaScript off, compare the images side by side here, or run assay diff on them."</p></noscript>
            {views}
            <p class="inspector js-only" aria-live="polite">
                {move || inspected().map(IntoAny::into_any).unwrap_or_else(|| view! { <span class="muted">"Point at the image to see both images' pixels."</span> }.into_any())}
            </p>
            {regions_form}
        </div>
    }
}

/// The browser's side: decoding an image to RGBA, painting RGBA, the clock.
#[cfg(feature = "hydrate")]
mod browser {
    use leptos::wasm_bindgen::{Clamped, JsCast};
    use leptos::web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, ImageData};

    pub fn now() -> f64 {
        leptos::prelude::window().performance().map(|p| p.now()).unwrap_or(0.0)
    }

    fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, String> {
        canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
            .ok_or_else(|| "this browser gives no 2D canvas".to_owned())
    }

    /// The image at `url`, decoded by the browser, as RGBA bytes.
    pub async fn rgba(url: &str) -> Result<super::Rgba, String> {
        let failed = || format!("{url} could not be loaded as an image");
        let img = HtmlImageElement::new().map_err(|_| failed())?;
        img.set_cross_origin(Some("anonymous"));
        img.set_src(url);
        wasm_bindgen_futures::JsFuture::from(img.decode()).await.map_err(|_| failed())?;
        let (width, height) = (img.natural_width(), img.natural_height());
        let canvas: HtmlCanvasElement = leptos::prelude::document()
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into().ok())
            .ok_or_else(failed)?;
        canvas.set_width(width);
        canvas.set_height(height);
        let ctx = context(&canvas)?;
        ctx.draw_image_with_html_image_element(&img, 0.0, 0.0).map_err(|_| failed())?;
        let data = ctx
            .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
            .map_err(|_| format!("{url}: the browser would not give its pixels"))?;
        Ok(super::Rgba { width, height, data: data.data().0 })
    }

    /// Paints RGBA bytes onto a canvas.
    pub fn paint(canvas: &HtmlCanvasElement, width: u32, height: u32, rgba: &[u8]) -> Result<(), String> {
        canvas.set_width(width);
        canvas.set_height(height);
        let ctx = context(canvas)?;
        let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)
            .map_err(|_| "the diff image could not be made".to_owned())?;
        ctx.put_image_data(&image, 0.0, 0.0).map_err(|_| "the diff image could not be drawn".to_owned())
    }
}
