//! The trace parsers on the real replayer output and traces files of
//! `../shared/corpus/render-traces` (figures from its MANIFEST).

use shared::traces::{self, TraceFormat, TraceLabel, yaml};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    match std::env::var("ASSAY_CORPUS") {
        Ok(d) => PathBuf::from(d),
        Err(_) => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    }
    .join("render-traces")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn piglit_results_give_trace_device_checksums_and_image() {
    let r = traces::parse(&read("piglit/generated-locally/trace-fail.txt"), None).unwrap();
    assert_eq!(r.format, TraceFormat::Piglit);
    assert_eq!(r.traces.len(), 1);
    let t = &r.traces[0];
    assert_eq!(t.name, "trace1/magenta.testtrace");
    assert_eq!(t.device, "gl-test-device");
    assert_eq!(t.expected_checksum.as_deref(), Some("deadbeefdeadbeefdeadbeefdeadbeef"));
    assert_eq!(t.actual_checksum.as_deref(), Some("8e0a801367e1714463475a824dab363b"));
    assert_eq!(
        t.actual_image.as_deref(),
        Some("./results/trace/gl-test-device/trace1/magenta.testtrace-0-8e0a801367e1714463475a824dab363b.png")
    );
    assert_eq!(traces::status(t, t.expected_checksum.as_deref(), None, false), traces::TraceStatus::Mismatch);

    for (file, device, sum) in [
        ("piglit/generated-locally/trace-pass.txt", "gl-test-device", "8e0a801367e1714463475a824dab363b"),
        ("piglit/generated-locally/trace-pass-keep.txt", "vk-test-device", "5efda83854befe0155ff8517a58d5b51"),
    ] {
        let r = traces::parse(&read(file), None).unwrap();
        let t = &r.traces[0];
        assert_eq!((t.device.as_str(), t.actual_checksum.as_deref()), (device, Some(sum)), "{file}");
        assert_eq!(
            traces::status(t, t.expected_checksum.as_deref(), None, false),
            traces::TraceStatus::Match,
            "{file}"
        );
    }
}

#[test]
fn compare_yaml_logs_are_refused_as_carrying_no_results() {
    let e = traces::parse(&read("piglit/generated-locally/yaml-fail-gl.txt"), None).unwrap_err();
    assert!(e.message.contains("compare yaml"), "{e}");
}

#[test]
fn traces_files_give_checksums_and_labels_per_device() {
    let f = yaml::parse(std::str::from_utf8(&read("mesa/traces-llvmpipe.yml")).unwrap()).unwrap();
    assert_eq!(f.download_url.as_deref(), Some("https://s3.freedesktop.org/mesa-tracie-public/"));
    assert_eq!(f.expectations.len(), 51);
    assert_eq!(f.expectations.iter().filter(|e| e.checksum.is_some()).count(), 46);
    assert_eq!(f.expectations.iter().filter(|e| e.label == Some(TraceLabel::Skip)).count(), 3);
    assert_eq!(f.expectations.iter().filter(|e| e.label == Some(TraceLabel::Unsupported)).count(), 2);
    assert!(f.expectations.iter().all(|e| e.device == "gl-vmware-llvmpipe"));
    let b = f.find("blender/blender-demo-ellie_pose.trace", "gl-vmware-llvmpipe").unwrap();
    assert_eq!(b.label_words, ["skip", "broken"]);
    assert!(b.text.as_deref().unwrap().starts_with("missing background"));

    let f = yaml::parse(
        std::str::from_utf8(&read("piglit/functionaltests/framework/replay/programs/tests/traces.yml")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        f.find("trace1/magenta.testtrace", "gl-test-device").unwrap().checksum.as_deref(),
        Some("8e0a801367e1714463475a824dab363b")
    );
    assert_eq!(
        f.find("trace2/olive.testtrace", "vk-test-device").unwrap().checksum.as_deref(),
        Some("5efda83854befe0155ff8517a58d5b51")
    );
    let m = yaml::parse(std::str::from_utf8(&read("piglit/generated-locally/traces-mismatch.yml")).unwrap()).unwrap();
    assert!(
        m.find("trace1/magenta.testtrace", "gl-test-device")
            .unwrap()
            .checksum
            .as_deref()
            .unwrap()
            .starts_with("deadbeef")
    );
}
