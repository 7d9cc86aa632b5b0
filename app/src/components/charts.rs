//! Charts drawn as SVG in the page itself: the server renders them (so
//! they show with JavaScript off, each mark with a `<title>` the browser
//! shows on hover), and once hydrated they answer the pointer: hovering
//! shows the exact figures, clicking drills in, and the graph's range can
//! be dragged to zoom.
//!
//! Plotters' SVG backend writes a finished string: no mark could carry a
//! title, a link or an event, and drawing in the browser would add its
//! code to the WASM. These views are the marks themselves.

use crate::format;
use leptos::prelude::*;

/// Colours of the jobs or series, in order (distinguishable in greyscale
/// too: lightness falls along the list).
pub const PALETTE: [&str; 8] = ["#7aa6e8", "#1f5fbf", "#e3a23b", "#8a5a00", "#5fb37a", "#1a7f37", "#b07cc6", "#5b2a86"];

const W: f64 = 760.0;
const H: f64 = 280.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 72.0;

/// Round tick values covering `lo..hi`.
fn ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return vec![lo];
    }
    let raw = (hi - lo) / count as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let mut out = Vec::new();
    let mut t = (lo / step).ceil() * step;
    while t <= hi + step * 1e-9 {
        out.push(t);
        t += step;
    }
    out
}

/// The y range of the values: from zero, or fitted to the data.
fn y_range(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let pad = if hi > lo { (hi - lo) * 0.08 } else { hi.abs().max(1.0) * 0.1 };
    (if from_zero && lo >= 0.0 { 0.0 } else { lo - pad }, hi + pad)
}

fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        format!("{}…", label.chars().take(max - 1).collect::<String>())
    }
}

/// A job's value in a comparison chart: value and 95% interval.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartCell {
    pub value: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Verdict word and symbol, for the tooltip.
    pub verdict: String,
}

/// One test and metric of a comparison chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartRow {
    pub label: String,
    /// Where clicking it goes (the series' graph).
    pub href: String,
    pub cells: Vec<Option<ChartCell>>,
}

/// PerfTracker's comparison chart for one group: bars per job with their
/// 95% intervals when two jobs are compared, a line per test across the
/// jobs when more are.
#[component]
pub fn CompareChart(title: String, unit: String, jobs: Vec<String>, rows: Vec<ChartRow>) -> impl IntoView {
    let tip = RwSignal::new(None::<String>);
    let from_zero = RwSignal::new(true);
    let navigate = leptos_router::hooks::use_navigate();
    let lines = jobs.len() > 2;
    let n_rows = rows.len().max(1) as f64;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let rows_for_draw = rows.clone();
    let unit_for_draw = unit.clone();
    let jobs_for_draw = jobs.clone();
    let draw = move || {
        let all = rows_for_draw
            .iter()
            .flat_map(|r| r.cells.iter().flatten())
            .flat_map(|c| [Some(c.value), c.low, c.high].into_iter().flatten());
        let (lo, hi) = y_range(all, from_zero.get());
        let y = move |v: f64| TOP + plot_h - (v - lo) / (hi - lo) * plot_h;
        let grid = ticks(lo, hi, 5)
            .into_iter()
            .map(|t| {
                let ty = y(t);
                view! {
                    <g class="tick">
                        <line x1=LEFT x2=W - RIGHT y1=ty y2=ty class="grid"></line>
                        <text x=LEFT - 6.0 y=ty + 4.0 text-anchor="end">{format::number(t)}</text>
                    </g>
                }
            })
            .collect_view();
        let band = plot_w / if lines { jobs_for_draw.len().max(2) as f64 - 1.0 } else { n_rows };
        let marks = rows_for_draw
            .iter()
            .enumerate()
            .map(|(ri, r)| {
                let href = r.href.clone();
                let nav = navigate.clone();
                let go = move |_| nav(&href, Default::default());
                if lines {
                    let color = PALETTE[ri % PALETTE.len()];
                    let pts: Vec<(f64, f64)> = r
                        .cells
                        .iter()
                        .enumerate()
                        .filter_map(|(ji, c)| c.as_ref().map(|c| (LEFT + band * ji as f64, y(c.value))))
                        .collect();
                    let path = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
                    let dots = r
                        .cells
                        .iter()
                        .enumerate()
                        .filter_map(|(ji, c)| {
                            let c = c.clone()?;
                            let text = format!(
                                "{} · {}: {} {}",
                                r.label,
                                jobs_for_draw[ji],
                                format::value_unit(c.value, &unit_for_draw),
                                c.verdict
                            );
                            let hover = text.clone();
                            let go = go.clone();
                            Some(view! {
                                <circle cx=LEFT + band * ji as f64 cy=y(c.value) r="4" fill=color class="mark"
                                    on:mouseenter=move |_| tip.set(Some(hover.clone()))
                                    on:mouseleave=move |_| tip.set(None)
                                    on:click=go>
                                    <title>{text}</title>
                                </circle>
                            })
                        })
                        .collect_view();
                    view! { <g><polyline points=path fill="none" stroke=color stroke-width="2"></polyline>{dots}</g> }
                        .into_any()
                } else {
                    let width = band * 0.8 / r.cells.len().max(1) as f64;
                    let x0 = LEFT + band * ri as f64 + band * 0.1;
                    let bars = r
                        .cells
                        .iter()
                        .enumerate()
                        .filter_map(|(ji, c)| {
                            let c = c.clone()?;
                            let x = x0 + width * ji as f64;
                            let (top, base) = (y(c.value), y(lo.max(0.0).min(hi)));
                            let ci = match (c.low, c.high) {
                                (Some(l), Some(h)) => format!(
                                    " (95% interval {} – {})",
                                    format::number(l),
                                    format::number(h)
                                ),
                                _ => String::new(),
                            };
                            let text = format!(
                                "{} · {}: {}{ci} {}",
                                r.label,
                                jobs_for_draw[ji],
                                format::value_unit(c.value, &unit_for_draw),
                                c.verdict
                            );
                            let hover = text.clone();
                            let whisker = match (c.low, c.high) {
                                (Some(l), Some(h)) => {
                                    let cx = x + width / 2.0;
                                    Some(view! {
                                        <g class="whisker">
                                            <line x1=cx x2=cx y1=y(l) y2=y(h)></line>
                                            <line x1=cx - width / 4.0 x2=cx + width / 4.0 y1=y(l) y2=y(l)></line>
                                            <line x1=cx - width / 4.0 x2=cx + width / 4.0 y1=y(h) y2=y(h)></line>
                                        </g>
                                    })
                                }
                                _ => None,
                            };
                            let go = go.clone();
                            Some(view! {
                                <g class="bar">
                                    <rect x=x y=top.min(base) width=(width - 1.0).max(1.0) height=(base - top).abs().max(1.0)
                                        fill=PALETTE[ji % PALETTE.len()] class="mark"
                                        on:mouseenter=move |_| tip.set(Some(hover.clone()))
                                        on:mouseleave=move |_| tip.set(None)
                                        on:click=go>
                                        <title>{text}</title>
                                    </rect>
                                    {whisker}
                                </g>
                            })
                        })
                        .collect_view();
                    let lx = LEFT + band * (ri as f64 + 0.5);
                    let ly = TOP + plot_h + 12.0;
                    view! {
                        <g>
                            {bars}
                            <text class="label" x=lx y=ly text-anchor="end"
                                transform=format!("rotate(-35 {lx:.1} {ly:.1})")>
                                {short(&r.label, 22)}
                            </text>
                        </g>
                    }
                    .into_any()
                }
            })
            .collect_view();
        let x_labels = lines.then(|| {
            jobs_for_draw
                .iter()
                .enumerate()
                .map(|(ji, j)| {
                    let lx = LEFT + band * ji as f64;
                    let ly = TOP + plot_h + 14.0;
                    view! { <text class="label" x=lx y=ly text-anchor="middle">{short(j, 16)}</text> }
                })
                .collect_view()
        });
        view! { {grid}{marks}{x_labels} }
    };
    let legend = if lines {
        rows.iter()
            .enumerate()
            .map(|(i, r)| view! { <li><span class="swatch" style=format!("background:{}", PALETTE[i % PALETTE.len()])></span>{r.label.clone()}</li> })
            .collect_view()
            .into_any()
    } else {
        jobs.iter()
            .enumerate()
            .map(|(i, j)| view! { <li><span class="swatch" style=format!("background:{}", PALETTE[i % PALETTE.len()])></span>{j.clone()}</li> })
            .collect_view()
            .into_any()
    };
    let label = format!("{title}{}", if unit.is_empty() { String::new() } else { format!(" ({unit})") });
    view! {
        <figure class="chart compare-chart">
            <figcaption>
                {label.clone()}
                <button type="button" class="link zoom" on:click=move |_| from_zero.update(|z| *z = !*z)>
                    {move || if from_zero.get() { "Zoom to the values" } else { "Show from zero" }}
                </button>
            </figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label>
                {draw}
            </svg>
            <ul class="legend">{legend}</ul>
            <p class="chart-tip" aria-live="polite">{move || tip.get().unwrap_or_default()}</p>
        </figure>
    }
}

/// A point of a series graph.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphPoint {
    /// Position on the x axis (the run's place among all runs shown).
    pub x: usize,
    pub value: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub label: String,
    pub href: String,
}

/// One series on a graph.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphLine {
    pub name: String,
    pub points: Vec<GraphPoint>,
}

/// A mark on the x axis (an alert, an annotation).
#[derive(Debug, Clone, PartialEq)]
pub struct GraphMark {
    pub x: usize,
    pub text: String,
    pub class: &'static str,
}

/// Points drawn one by one (each with its title) up to this many; past it
/// the line alone is drawn and hovering finds the nearest point.
const MAX_DOTS: usize = 600;

/// Values over runs, with each point's 95% interval: several series
/// overlaid, marks on the axis. Dragging across it zooms to that range
/// (`on_zoom` gets the first and last x); hovering shows the nearest
/// point; clicking opens its job.
#[component]
pub fn SeriesGraph(
    lines: Vec<GraphLine>,
    /// Labels of the x positions (runs), for the axis.
    xs: Vec<String>,
    marks: Vec<GraphMark>,
    unit: String,
    #[prop(into)] on_zoom: Callback<(usize, usize)>,
) -> impl IntoView {
    let n = xs.len().max(1);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM + 30.0;
    let x_of = move |x: usize| LEFT + if n > 1 { plot_w * x as f64 / (n - 1) as f64 } else { plot_w / 2.0 };
    let all =
        lines.iter().flat_map(|l| l.points.iter()).flat_map(|p| [Some(p.value), p.low, p.high].into_iter().flatten());
    let (lo, hi) = y_range(all, false);
    let y = move |v: f64| TOP + plot_h - (v - lo) / (hi - lo) * plot_h;
    let grid = ticks(lo, hi, 5)
        .into_iter()
        .map(|t| {
            let ty = y(t);
            view! {
                <g class="tick">
                    <line x1=LEFT x2=W - RIGHT y1=ty y2=ty class="grid"></line>
                    <text x=LEFT - 6.0 y=ty + 4.0 text-anchor="end">{format::number(t)}</text>
                </g>
            }
        })
        .collect_view();
    let step = (n / 8).max(1);
    let x_labels = xs
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0)
        .map(|(i, label)| {
            let lx = x_of(i);
            let ly = TOP + plot_h + 14.0;
            view! { <text class="label" x=lx y=ly text-anchor="middle">{short(label, 14)}</text> }
        })
        .collect_view();
    let mark_views = marks
        .iter()
        .map(|m| {
            let mx = x_of(m.x);
            view! {
                <g class=format!("axis-mark {}", m.class)>
                    <line x1=mx x2=mx y1=TOP y2=TOP + plot_h></line>
                    <circle cx=mx cy=TOP + 6.0 r="5"><title>{m.text.clone()}</title></circle>
                </g>
            }
        })
        .collect_view();
    let drawn = lines
        .iter()
        .enumerate()
        .map(|(li, l)| {
            let color = PALETTE[(li * 2 + 1) % PALETTE.len()];
            let path =
                l.points.iter().map(|p| format!("{:.1},{:.1}", x_of(p.x), y(p.value))).collect::<Vec<_>>().join(" ");
            let spread = l
                .points
                .iter()
                .filter_map(|p| match (p.low, p.high) {
                    (Some(a), Some(b)) => Some(format!("M{:.1} {:.1}V{:.1}", x_of(p.x), y(a), y(b))),
                    _ => None,
                })
                .collect::<String>();
            let dots = (l.points.len() <= MAX_DOTS).then(|| {
                l.points
                    .iter()
                    .map(|p| {
                        view! {
                            <circle cx=x_of(p.x) cy=y(p.value) r="3" fill=color class="mark">
                                <title>{p.label.clone()}</title>
                            </circle>
                        }
                    })
                    .collect_view()
            });
            view! {
                <g class="line">
                    <path d=spread stroke=color class="spread"></path>
                    <polyline points=path fill="none" stroke=color stroke-width="1.5"></polyline>
                    {dots}
                </g>
            }
        })
        .collect_view();
    // The nearest point to the pointer, found from x alone: one handler
    // for the whole graph, however many points it holds.
    let hovered = RwSignal::new(None::<(usize, usize)>);
    let drag_from = RwSignal::new(None::<f64>);
    let drag_to = RwSignal::new(None::<f64>);
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let lines_for_hover = lines.clone();
    let to_view_x = move |ev: &leptos::ev::MouseEvent| -> Option<f64> {
        let el = svg_ref.get()?;
        let el: &web_sys::Element = el.as_ref();
        let rect = el.get_bounding_client_rect();
        (rect.width() > 0.0).then(|| (ev.client_x() as f64 - rect.left()) / rect.width() * W)
    };
    let x_index = move |vx: f64| -> usize {
        let frac = ((vx - LEFT) / plot_w).clamp(0.0, 1.0);
        ((frac * (n - 1) as f64).round() as usize).min(n - 1)
    };
    let nearest = move |vx: f64| -> Option<(usize, usize)> {
        let xi = x_index(vx);
        let mut best: Option<(usize, usize, usize)> = None;
        for (li, l) in lines_for_hover.iter().enumerate() {
            let pi = l.points.partition_point(|p| p.x < xi);
            for cand in [pi.saturating_sub(1), pi] {
                if let Some(p) = l.points.get(cand) {
                    let d = p.x.abs_diff(xi);
                    if best.is_none_or(|b| d < b.2) {
                        best = Some((li, cand, d));
                    }
                }
            }
        }
        best.map(|(l, p, _)| (l, p))
    };
    let lines_for_tip = lines.clone();
    let point_at = move |(l, p): (usize, usize)| lines_for_tip.get(l).and_then(|line| line.points.get(p).cloned());
    let point_at_click = point_at.clone();
    let navigate = leptos_router::hooks::use_navigate();
    let unit_label = unit.clone();
    view! {
        <figure class="chart series-graph">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label="values over runs" node_ref=svg_ref
                on:mousemove=move |ev| {
                    if let Some(vx) = to_view_x(&ev) {
                        hovered.set(nearest(vx));
                        if drag_from.get_untracked().is_some() {
                            drag_to.set(Some(vx));
                        }
                    }
                }
                on:mouseleave=move |_| { hovered.set(None); drag_from.set(None); drag_to.set(None); }
                on:mousedown=move |ev| { ev.prevent_default(); drag_from.set(to_view_x(&ev)); drag_to.set(None); }
                on:mouseup=move |ev| {
                    let from = drag_from.get_untracked();
                    drag_from.set(None);
                    drag_to.set(None);
                    let to = to_view_x(&ev);
                    match (from, to) {
                        (Some(a), Some(b)) if (a - b).abs() > 8.0 => {
                            let (a, b) = (x_index(a.min(b)), x_index(a.max(b)));
                            if b > a {
                                on_zoom.run((a, b));
                            }
                        }
                        _ => {
                            if let Some(p) = hovered.get_untracked().and_then(point_at_click.clone()) {
                                navigate(&p.href, Default::default());
                            }
                        }
                    }
                }>
                {grid}
                {mark_views}
                {drawn}
                {x_labels}
                <text class="unit" x="4" y=TOP + 4.0>{unit_label}</text>
                {move || {
                    let (a, b) = (drag_from.get()?, drag_to.get()?);
                    Some(view! { <rect class="selection" x=a.min(b) y=TOP width=(a - b).abs() height=plot_h></rect> })
                }}
                {let point_at = point_at.clone(); move || {
                    let p = hovered.get().and_then(point_at.clone())?;
                    Some(view! { <circle class="hover" cx=x_of(p.x) cy=y(p.value) r="6"></circle> })
                }}
            </svg>
            <p class="chart-tip" aria-live="polite">
                {move || hovered.get().and_then(point_at.clone()).map(|p| p.label).unwrap_or_else(|| "Drag across the graph to zoom; click a point to open its job.".into())}
            </p>
        </figure>
    }
}
