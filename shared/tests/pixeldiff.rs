//! The pixel diff against pixelmatch 7.2's own test suite
//! (`../shared/corpus/pixel-diff/pixelmatch/v7.2.0/EXPECTED.json`): for
//! every case, the same mismatched-pixel count and, byte for byte, the
//! same diff image; and the same count when no diff image is drawn.

use serde::Deserialize;
use shared::pixeldiff::{self, Options};
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Expected {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    img1: String,
    img2: String,
    expected_diff: String,
    options: serde_json::Map<String, serde_json::Value>,
    expected_mismatch: u64,
}

fn suite_dir() -> PathBuf {
    let corpus = match std::env::var("ASSAY_CORPUS") {
        Ok(dir) => PathBuf::from(dir),
        Err(_) => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    };
    corpus.join("pixel-diff/pixelmatch/v7.2.0")
}

fn rgba(path: &Path) -> (Vec<u8>, u32, u32) {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_rgba8();
    let (w, h) = img.dimensions();
    (img.into_raw(), w, h)
}

fn colour(v: &serde_json::Value) -> [u8; 3] {
    let a: Vec<u8> = serde_json::from_value(v.clone()).expect("a colour is [r, g, b]");
    [a[0], a[1], a[2]]
}

/// pixelmatch's option names onto ours; `null` keeps the default, as
/// `undefined` does in JavaScript.
fn options(o: &serde_json::Map<String, serde_json::Value>) -> Options {
    let mut opts = Options::default();
    for (k, v) in o {
        if v.is_null() {
            continue;
        }
        match k.as_str() {
            "threshold" => opts.threshold = v.as_f64().unwrap(),
            "includeAA" => opts.include_aa = v.as_bool().unwrap(),
            "alpha" => opts.alpha = v.as_f64().unwrap(),
            "aaColor" => opts.aa_color = colour(v),
            "diffColor" => opts.diff_color = colour(v),
            "diffColorAlt" => opts.diff_color_alt = Some(colour(v)),
            "diffMask" => opts.diff_mask = v.as_bool().unwrap(),
            other => panic!("option {other} of the suite is not mapped"),
        }
    }
    opts
}

#[test]
fn every_pixelmatch_case_gives_its_count_and_diff_image() {
    let dir = suite_dir();
    let text = std::fs::read_to_string(dir.join("EXPECTED.json"))
        .unwrap_or_else(|e| panic!("the pixelmatch suite must be at {} (set ASSAY_CORPUS): {e}", dir.display()));
    let expected: Expected = serde_json::from_str(&text).unwrap();
    assert_eq!(expected.cases.len(), 12);
    for case in &expected.cases {
        let (a, w, h) = rgba(&dir.join(&case.img1));
        let (b, w2, h2) = rgba(&dir.join(&case.img2));
        assert_eq!((w, h), (w2, h2));
        let (want, _, _) = rgba(&dir.join(&case.expected_diff));
        let opts = options(&case.options);
        let name = format!("{} vs {} {:?}", case.img1, case.img2, case.options);

        let mut out = vec![0u8; a.len()];
        let stats = pixeldiff::diff(&a, &b, Some(&mut out), w, h, &opts, &[]).unwrap();
        assert_eq!(stats.differing, case.expected_mismatch, "{name}: count");
        let wrong = out.chunks_exact(4).zip(want.chunks_exact(4)).position(|(o, e)| o != e);
        if let Some(i) = wrong {
            panic!(
                "{name}: diff image differs first at pixel ({}, {}): {:?}, pixelmatch {:?}",
                i % w as usize,
                i / w as usize,
                &out[i * 4..i * 4 + 4],
                &want[i * 4..i * 4 + 4]
            );
        }
        let counted = pixeldiff::diff(&a, &b, None, w, h, &opts, &[]).unwrap();
        assert_eq!(counted, stats, "{name}: same figures without a diff image");
    }
}
