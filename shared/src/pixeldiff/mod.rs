//! The pixel diff: two RGBA images of the same size in, the number of
//! differing pixels (and, when asked, a diff image) out.
//!
//! It gives exactly the counts and diff images of pixelmatch 7.2 for the
//! same options (the YIQ colour metric with its threshold, the
//! anti-aliasing detector of Vysniauskas 2009, semi-transparent pixels
//! blended against pixelmatch's checkerboard), so results agree with what
//! users already see from that tool; a test checks every case of its
//! suite. The arithmetic is pixelmatch's own, in `f64`, in the same order,
//! since a different rounding would move pixels across the threshold.
//!
//! It is written to be fast in WASM as natively: one pass over the pixels,
//! whole pixels compared as `u32`s, the grey background of equal pixels
//! computed once per run of equal pixels, no allocation per pixel. On top
//! of pixelmatch it takes ignore regions: rectangles whose pixels are never
//! counted (a clock, a frame counter), drawn in the diff as equal ones.
//!
//! The browser decodes the images (so no decoder is in the bundle) and
//! hands the RGBA bytes here; `assay diff` decodes them natively.

mod aa;

use serde::{Deserialize, Serialize};

/// How the two images are compared and the diff drawn (pixelmatch's options).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    /// Matching threshold from 0 to 1: smaller is more sensitive.
    pub threshold: f64,
    /// Count anti-aliased pixels as differences too (no AA detection).
    pub include_aa: bool,
    /// Opacity of the first image drawn faded under the diff.
    pub alpha: f64,
    /// Colour of anti-aliased pixels in the diff.
    pub aa_color: [u8; 3],
    /// Colour of differing pixels.
    pub diff_color: [u8; 3],
    /// Colour of differing pixels where the second image is the darker
    /// (`None`: `diff_color`).
    pub diff_color_alt: Option<[u8; 3]>,
    /// Draw only the differences, over a transparent background.
    pub diff_mask: bool,
    /// Blend semi-transparent pixels against a checkerboard (true) or white.
    pub checkerboard: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: 0.1,
            include_aa: false,
            alpha: 0.1,
            aa_color: [255, 255, 0],
            diff_color: [255, 0, 0],
            diff_color_alt: None,
            diff_mask: false,
            checkerboard: true,
        }
    }
}

/// A rectangle of pixels left out of the comparison, in image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// What a comparison found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Pixels that differ (pixelmatch's return value).
    pub differing: u64,
    /// Pixels over the threshold that the detector took for anti-aliasing.
    pub antialiased: u64,
    /// Pixels inside ignore regions.
    pub ignored: u64,
    /// All pixels of the image.
    pub total: u64,
}

impl Stats {
    /// Differing pixels as a percentage of the pixels compared.
    pub fn percent(&self) -> f64 {
        let compared = self.total - self.ignored;
        if compared == 0 { 0.0 } else { self.differing as f64 * 100.0 / compared as f64 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    #[error("the images have different sizes: {0}×{1} and {2}×{3}")]
    Sizes(u32, u32, u32, u32),
    #[error("{which} has {got} bytes, but {width}×{height} RGBA needs {want}")]
    Length { which: &'static str, got: usize, want: usize, width: u32, height: u32 },
}

/// YIQ weights of pixelmatch (Kotsarenko and Ramos).
const YR: f64 = 0.29889531;
const YG: f64 = 0.58662247;
const YB: f64 = 0.11448223;
/// The largest possible value of the YIQ delta.
const MAX_YIQ_DELTA: f64 = 35215.0;

/// Compares `img1` with `img2` (RGBA, `width`×`height`), writing the diff
/// image to `output` when given (same size). Returns what was found.
pub fn diff(
    img1: &[u8],
    img2: &[u8],
    output: Option<&mut [u8]>,
    width: u32,
    height: u32,
    options: &Options,
    ignore: &[Region],
) -> Result<Stats, DiffError> {
    let want = width as usize * height as usize * 4;
    for (which, got) in [("the first image", img1.len()), ("the second image", img2.len())] {
        if got != want {
            return Err(DiffError::Length { which, got, want, width, height });
        }
    }
    if let Some(out) = &output
        && out.len() != want
    {
        return Err(DiffError::Length { which: "the output", got: out.len(), want, width, height });
    }
    let mut d = Differ::new(img1, img2, width as usize, height as usize, options);
    let mut out = output;
    let total = width as u64 * height as u64;
    let mut stats = Stats { total, ..Stats::default() };
    if img1 == img2 {
        if let Some(out) = out.as_deref_mut() {
            if options.diff_mask {
                out.fill(0);
            } else {
                d.grey_span(out, 0, total as usize);
            }
        }
        stats.ignored = ignored_pixels(ignore, width, height);
        return Ok(stats);
    }
    let w = width as usize;
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(ignore.len());
    for y in 0..height as usize {
        row_spans(ignore, y, width, &mut spans);
        let mut x = 0;
        for &(s, e) in &spans {
            d.compare_span(out.as_deref_mut(), y, x, s, &mut stats);
            stats.ignored += (e - s) as u64;
            if let Some(out) = out.as_deref_mut() {
                d.similar_span(out, y * w + s, y * w + e);
            }
            x = e;
        }
        d.compare_span(out.as_deref_mut(), y, x, w, &mut stats);
    }
    Ok(stats)
}

/// The pixels of `ignore` inside the image, each counted once.
fn ignored_pixels(ignore: &[Region], width: u32, height: u32) -> u64 {
    let mut spans = Vec::new();
    let mut n = 0;
    for y in 0..height as usize {
        row_spans(ignore, y, width, &mut spans);
        n += spans.iter().map(|&(s, e)| (e - s) as u64).sum::<u64>();
    }
    n
}

/// The ignored x ranges of row `y`, sorted and merged, clipped to the image.
fn row_spans(ignore: &[Region], y: usize, width: u32, spans: &mut Vec<(usize, usize)>) {
    spans.clear();
    for r in ignore {
        let (ry, rh) = (r.y as usize, r.height as usize);
        if y < ry || y >= ry.saturating_add(rh) || r.x >= width {
            continue;
        }
        let e = (r.x as usize).saturating_add(r.width as usize).min(width as usize);
        if e > r.x as usize {
            spans.push((r.x as usize, e));
        }
    }
    if spans.len() > 1 {
        spans.sort_unstable();
        let mut merged = 0;
        for i in 1..spans.len() {
            if spans[i].0 <= spans[merged].1 {
                spans[merged].1 = spans[merged].1.max(spans[i].1);
            } else {
                merged += 1;
                spans[merged] = spans[i];
            }
        }
        spans.truncate(merged + 1);
    }
}

/// One comparison's inputs and drawing state.
struct Differ<'a> {
    img1: &'a [u8],
    img2: &'a [u8],
    width: usize,
    height: usize,
    max_delta: f64,
    opts: &'a Options,
    /// The last pixel drawn grey and its grey, so that a run of equal
    /// pixels (most of a rendering) costs one computation.
    grey_of: Option<(u32, [u8; 4])>,
}

#[inline(always)]
fn px(img: &[u8], i: usize) -> u32 {
    let p = &img[i * 4..i * 4 + 4];
    u32::from_le_bytes([p[0], p[1], p[2], p[3]])
}

impl<'a> Differ<'a> {
    fn new(img1: &'a [u8], img2: &'a [u8], width: usize, height: usize, opts: &'a Options) -> Self {
        Differ {
            img1,
            img2,
            width,
            height,
            max_delta: MAX_YIQ_DELTA * opts.threshold * opts.threshold,
            opts,
            grey_of: None,
        }
    }

    /// Compares pixels `x0..x1` of row `y`.
    fn compare_span(&mut self, mut out: Option<&mut [u8]>, y: usize, x0: usize, x1: usize, stats: &mut Stats) {
        if x0 >= x1 {
            return;
        }
        let row = y * self.width;
        let (a_row, b_row) = (&self.img1[(row + x0) * 4..(row + x1) * 4], &self.img2[(row + x0) * 4..(row + x1) * 4]);
        let n = x1 - x0;
        let word = |img: &[u8], j: usize| u64::from_le_bytes(img[j * 4..j * 4 + 8].try_into().unwrap_or([0; 8]));
        let mut equal_from: Option<usize> = None;
        let mut k = 0;
        while k < n {
            // Equal pixels are skipped two at a time (one 64-bit compare):
            // most of two renderings of one trace are equal.
            let mut j = k;
            while j + 2 <= n && word(a_row, j) == word(b_row, j) {
                j += 2;
            }
            while j < n && a_row[j * 4..j * 4 + 4] == b_row[j * 4..j * 4 + 4] {
                j += 1;
            }
            if j > k {
                equal_from.get_or_insert(x0 + k);
            }
            if j >= n {
                break;
            }
            k = j + 1;
            let x = x0 + j;
            if let (Some(s), Some(out)) = (equal_from.take(), out.as_deref_mut()) {
                self.similar_span(out, row + s, row + x);
            }
            equal_from = None;
            let i = row + x;
            let delta = color_delta(self.img1, self.img2, i * 4, self.opts.checkerboard);
            if delta.abs() > self.max_delta {
                let aa = !self.opts.include_aa
                    && (aa::antialiased(self.img1, self.img2, x, y, self.width, self.height, self.opts.checkerboard)
                        || aa::antialiased(
                            self.img2,
                            self.img1,
                            x,
                            y,
                            self.width,
                            self.height,
                            self.opts.checkerboard,
                        ));
                if aa {
                    stats.antialiased += 1;
                    if let Some(out) = out.as_deref_mut() {
                        let [r, g, b] = self.opts.aa_color;
                        put(out, i, if self.opts.diff_mask { [0; 4] } else { [r, g, b, 255] });
                    }
                } else {
                    stats.differing += 1;
                    if let Some(out) = out.as_deref_mut() {
                        let [r, g, b] = if delta < 0.0 {
                            self.opts.diff_color_alt.unwrap_or(self.opts.diff_color)
                        } else {
                            self.opts.diff_color
                        };
                        put(out, i, [r, g, b, 255]);
                    }
                }
            } else if let Some(out) = out.as_deref_mut() {
                self.similar_span(out, i, i + 1);
            }
        }
        if let (Some(s), Some(out)) = (equal_from, out) {
            self.similar_span(out, row + s, row + x1);
        }
    }

    /// Draws pixels `from..to` (indices) as similar: grey, or nothing in a mask.
    fn similar_span(&mut self, out: &mut [u8], from: usize, to: usize) {
        if self.opts.diff_mask {
            out[from * 4..to * 4].fill(0);
        } else {
            self.grey_span(out, from, to);
        }
    }

    /// Draws pixels `from..to` of the first image faded to grey.
    fn grey_span(&mut self, out: &mut [u8], from: usize, to: usize) {
        if from >= to {
            return;
        }
        let alpha = self.opts.alpha;
        let src = &self.img1[from * 4..to * 4];
        let dst = &mut out[from * 4..to * 4];
        let (mut last, mut grey) = self.grey_of.unwrap_or((px(src, 0) ^ 1, [0; 4]));
        for (s, d) in src.chunks_exact(4).zip(dst.chunks_exact_mut(4)) {
            let v = u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
            if v != last {
                last = v;
                let y = s[0] as f64 * YR + s[1] as f64 * YG + s[2] as f64 * YB;
                // pixelmatch's expression, in its order; stored truncated,
                // as a Uint8Array stores a number.
                let val = (255.0 + (y - 255.0) * alpha * s[3] as f64 / 255.0) as u8;
                grey = [val, val, val, 255];
            }
            d.copy_from_slice(&grey);
        }
        self.grey_of = Some((last, grey));
    }
}

#[inline(always)]
fn put(out: &mut [u8], i: usize, rgba: [u8; 4]) {
    out[i * 4..i * 4 + 4].copy_from_slice(&rgba);
}

/// pixelmatch's background for a semi-transparent pixel at byte offset `k`.
#[inline]
fn background(k: usize, checkerboard: bool) -> (f64, f64, f64) {
    if !checkerboard {
        return (255.0, 255.0, 255.0);
    }
    let k = k as f64;
    // `(k / φ | 0) % 2`: k is far below 2³¹ for any image allowed in.
    let bit = |d: f64| ((k / d) as i64 % 2) as f64;
    (48.0 + 159.0 * (k % 2.0), 48.0 + 159.0 * bit(1.618033988749895), 48.0 + 159.0 * bit(2.618033988749895))
}

/// The squared YIQ distance of the pixels at byte offset `k`, negative when
/// the second image's pixel is the darker. The caller knows they differ.
#[inline]
fn color_delta(img1: &[u8], img2: &[u8], k: usize, checkerboard: bool) -> f64 {
    let (r1, g1, b1, a1) = (img1[k] as f64, img1[k + 1] as f64, img1[k + 2] as f64, img1[k + 3] as f64);
    let (r2, g2, b2, a2) = (img2[k] as f64, img2[k + 1] as f64, img2[k + 2] as f64, img2[k + 3] as f64);
    let (mut dr, mut dg, mut db) = (r1 - r2, g1 - g2, b1 - b2);
    let da = a1 - a2;
    if a1 < 255.0 || a2 < 255.0 {
        let (rb, gb, bb) = background(k, checkerboard);
        dr = (r1 * a1 - r2 * a2 - rb * da) / 255.0;
        dg = (g1 * a1 - g2 * a2 - gb * da) / 255.0;
        db = (b1 * a1 - b2 * a2 - bb * da) / 255.0;
    }
    let y = dr * YR + dg * YG + db * YB;
    let i = dr * 0.59597799 - dg * 0.27417610 - db * 0.32180189;
    let q = dr * 0.21147017 - dg * 0.52261711 + db * 0.31114694;
    let delta = 0.5053 * y * y + 0.299 * i * i + 0.1957 * q * q;
    if y > 0.0 { -delta } else { delta }
}

#[cfg(test)]
mod tests;
