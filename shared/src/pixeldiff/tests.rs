use super::*;

fn solid(w: u32, h: u32, rgba: [u8; 4]) -> Vec<u8> {
    rgba.iter().copied().cycle().take((w * h * 4) as usize).collect()
}

fn paint(img: &mut [u8], w: u32, x: u32, y: u32, rgba: [u8; 4]) {
    let i = ((y * w + x) * 4) as usize;
    img[i..i + 4].copy_from_slice(&rgba);
}

#[test]
fn a_changed_block_is_counted_and_an_ignore_region_over_it_drops_the_count() {
    let (w, h) = (20, 10);
    let a = solid(w, h, [255, 255, 255, 255]);
    let mut b = a.clone();
    for y in 2..5 {
        for x in 3..7 {
            paint(&mut b, w, x, y, [0, 0, 0, 255]);
        }
    }
    let o = Options::default();
    let s = diff(&a, &b, None, w, h, &o, &[]).unwrap();
    assert_eq!(s.differing, 12);
    assert_eq!(s.total, 200);
    assert!((s.percent() - 6.0).abs() < 1e-9);

    // Covering half the block leaves the other half; regions overlapping
    // each other and the image's edge are counted once.
    let half = [Region { x: 0, y: 0, width: 5, height: 10 }, Region { x: 4, y: 0, width: 1, height: 3 }];
    let s = diff(&a, &b, None, w, h, &o, &half).unwrap();
    assert_eq!(s.differing, 6);
    assert_eq!(s.ignored, 50);
    let all = [Region { x: 0, y: 0, width: 100, height: 100 }];
    let mut out = vec![0; a.len()];
    let s = diff(&a, &b, Some(&mut out), w, h, &o, &all).unwrap();
    assert_eq!((s.differing, s.ignored), (0, 200));
    assert!(out.chunks_exact(4).all(|p| p == [255, 255, 255, 255]), "ignored pixels are drawn as equal ones");
}

#[test]
fn darker_and_lighter_changes_take_their_colours_and_a_mask_is_transparent_elsewhere() {
    let (w, h) = (8, 8);
    let grey = solid(w, h, [128, 128, 128, 255]);
    let mut b = grey.clone();
    paint(&mut b, w, 1, 1, [0, 0, 0, 255]);
    paint(&mut b, w, 5, 5, [255, 255, 255, 255]);
    let o = Options { diff_color_alt: Some([0, 255, 0]), diff_mask: true, ..Options::default() };
    let mut out = vec![9; grey.len()];
    let s = diff(&grey, &b, Some(&mut out), w, h, &o, &[]).unwrap();
    assert_eq!(s.differing, 2);
    assert_eq!(&out[(9 * 4)..(9 * 4 + 4)], &[0, 255, 0, 255], "darker in the second image: the alternative colour");
    assert_eq!(&out[(45 * 4)..(45 * 4 + 4)], &[255, 0, 0, 255]);
    assert_eq!(out.chunks_exact(4).filter(|p| p[3] == 0).count(), 62);
}

#[test]
fn wrong_sizes_are_refused_naming_the_image() {
    let a = solid(4, 4, [0, 0, 0, 255]);
    let e = diff(&a, &a[..60], None, 4, 4, &Options::default(), &[]).unwrap_err();
    assert_eq!(e.to_string(), "the second image has 60 bytes, but 4×4 RGBA needs 64");
}
