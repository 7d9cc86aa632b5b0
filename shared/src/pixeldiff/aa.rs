//! pixelmatch's anti-aliasing detector ("Anti-aliased Pixel and Intensity
//! Slope Detector", V. Vysniauskas, 2009): a differing pixel is taken for
//! anti-aliasing when, among its 8 neighbours, it has both a darker and a
//! brighter one, at most two equal to it, and the darkest or the brightest
//! of them sits in a flat area (3+ equal neighbours) in both images.

use super::{YB, YG, YR, background};

/// Whether the pixel at (`x1`, `y1`) of `img` looks anti-aliased; `other`
/// is the image it is compared with.
pub(super) fn antialiased(
    img: &[u8],
    other: &[u8],
    x1: usize,
    y1: usize,
    width: usize,
    height: usize,
    checkerboard: bool,
) -> bool {
    let x0 = x1.saturating_sub(1);
    let y0 = y1.saturating_sub(1);
    let x2 = (x1 + 1).min(width - 1);
    let y2 = (y1 + 1).min(height - 1);
    let k = (y1 * width + x1) * 4;
    let c = [img[k] as f64, img[k + 1] as f64, img[k + 2] as f64, img[k + 3] as f64];
    let centre = &img[k..k + 4];
    let mut zeroes = usize::from(x1 == x0 || x1 == x2 || y1 == y0 || y1 == y2);
    let (mut min, mut max) = (0.0f64, 0.0f64);
    let (mut min_at, mut max_at) = ((0, 0), (0, 0));
    // Column by column, as pixelmatch visits them: the order decides which
    // of two equally dark (or bright) neighbours is remembered.
    for x in x0..=x2 {
        for y in y0..=y2 {
            if x == x1 && y == y1 {
                continue;
            }
            let m = (y * width + x) * 4;
            let delta = if &img[m..m + 4] == centre { 0.0 } else { brightness_delta(img, k, m, c, checkerboard) };
            if delta == 0.0 {
                zeroes += 1;
                if zeroes > 2 {
                    return false;
                }
            } else if delta < min {
                min = delta;
                min_at = (x, y);
            } else if delta > max {
                max = delta;
                max_at = (x, y);
            }
        }
    }
    if min == 0.0 || max == 0.0 {
        return false;
    }
    let flat = |(x, y): (usize, usize)| {
        has_many_siblings(img, x, y, width, height) && has_many_siblings(other, x, y, width, height)
    };
    flat(min_at) || flat(max_at)
}

/// Whether the pixel at (`x1`, `y1`) has 3+ neighbours of its exact colour.
fn has_many_siblings(img: &[u8], x1: usize, y1: usize, width: usize, height: usize) -> bool {
    let x0 = x1.saturating_sub(1);
    let y0 = y1.saturating_sub(1);
    let x2 = (x1 + 1).min(width - 1);
    let y2 = (y1 + 1).min(height - 1);
    let k = (y1 * width + x1) * 4;
    let val = &img[k..k + 4];
    let mut zeroes = usize::from(x1 == x0 || x1 == x2 || y1 == y0 || y1 == y2);
    for x in x0..=x2 {
        for y in y0..=y2 {
            if x == x1 && y == y1 {
                continue;
            }
            let m = (y * width + x) * 4;
            zeroes += usize::from(&img[m..m + 4] == val);
            if zeroes > 2 {
                return true;
            }
        }
    }
    false
}

/// The luma difference of the centre pixel (byte offset `k`, values `c`)
/// and the pixel at `m`, blended against the centre's background.
#[inline]
fn brightness_delta(img: &[u8], k: usize, m: usize, c: [f64; 4], checkerboard: bool) -> f64 {
    let [r1, g1, b1, a1] = c;
    let (r2, g2, b2, a2) = (img[m] as f64, img[m + 1] as f64, img[m + 2] as f64, img[m + 3] as f64);
    let (mut dr, mut dg, mut db) = (r1 - r2, g1 - g2, b1 - b2);
    if a1 < 255.0 || a2 < 255.0 {
        let da = a1 - a2;
        let (rb, gb, bb) = background(k, checkerboard);
        dr = (r1 * a1 - r2 * a2 - rb * da) / 255.0;
        dg = (g1 * a1 - g2 * a2 - gb * da) / 255.0;
        db = (b1 * a1 - b2 * a2 - bb * da) / 255.0;
    }
    dr * YR + dg * YG + db * YB
}
