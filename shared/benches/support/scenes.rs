//! The image pairs the pixel-diff benchmarks compare (shared by
//! `benches/pixeldiff.rs` and `examples/pixeldiff_files.rs`, which writes
//! them as PNGs for blazediff and the browser).

/// The sizes measured.
pub const SIZES: [(u32, u32); 2] = [(1920, 1080), (3840, 2160)];

/// The second images: unchanged, 20 changed squares, 4,000 changed squares.
pub const PAIRS: [(&str, u32); 3] = [("identical", 0), ("few", 20), ("many", 4000)];

/// A rendering-like image: gradients, flat areas and hard edges.
pub fn scene(w: u32, h: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let inside = (x / 64 + y / 64) % 3 == 0;
            let (r, g, b) = if inside { (200, 40, 40) } else { ((x * 255 / w) as u8, (y * 255 / h) as u8, 128) };
            v.extend_from_slice(&[r, g, b, 255]);
        }
    }
    v
}

/// `scene` with `n` scattered squares of 8×8 changed.
pub fn changed(img: &[u8], w: u32, h: u32, n: u32) -> Vec<u8> {
    let mut v = img.to_vec();
    let mut seed = 0x9E37_79B9u32;
    for _ in 0..n {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let (cx, cy) = (seed % (w - 8), (seed / 7) % (h - 8));
        for y in cy..cy + 8 {
            for x in cx..cx + 8 {
                let i = ((y * w + x) * 4) as usize;
                v[i] = 255 - v[i];
                v[i + 1] = v[i + 1].wrapping_add(90);
            }
        }
    }
    v
}
