use super::*;

fn result(actual: Option<&str>) -> ParsedTrace {
    ParsedTrace {
        name: "t".into(),
        device: "d".into(),
        actual_checksum: actual.map(str::to_owned),
        ..Default::default()
    }
}

#[test]
fn status_follows_reference_label_and_history() {
    let r = result(Some("abc"));
    assert_eq!(status(&r, Some("ABC"), None, false), TraceStatus::Match);
    assert_eq!(status(&r, Some("abd"), None, true), TraceStatus::Mismatch);
    assert_eq!(status(&r, None, None, false), TraceStatus::New);
    assert_eq!(status(&r, None, None, true), TraceStatus::MissingReference);
    assert_eq!(status(&r, Some("abd"), Some(&TraceLabel::Skip), true), TraceStatus::Skipped);
    assert_eq!(status(&r, None, Some(&TraceLabel::Unsupported), true), TraceStatus::Unsupported);
    assert_eq!(status(&result(None), Some("abc"), None, true), TraceStatus::Failed);
}

#[test]
fn an_all_digit_checksum_read_as_a_number_is_refused_with_advice() {
    let e = yaml::parse("traces:\n  a/b.trace:\n    dev:\n      checksum: 0\n").unwrap_err();
    assert_eq!(
        e.message,
        "trace a/b.trace, device dev: the checksum is read by YAML as a number (0), not text: quote it"
    );
}

#[test]
fn written_yaml_reads_back_the_same() {
    let f = yaml::parse(
        "traces-db:\n  download-url: \"https://x/\"\ntraces:\n  b/2.rdc:\n    dev: {checksum: \"00000000000000000000000000000000\"}\n  a/1.trace:\n    dev:\n      label: [skip, slow]\n      text: too slow\n    dev2:\n      checksum: ABCDEF\n",
    )
    .unwrap();
    assert_eq!(f.expectations.len(), 3);
    let text = yaml::write(f.download_url.as_deref(), &f.expectations);
    let again = yaml::parse(&text).unwrap();
    assert_eq!(again.download_url.as_deref(), Some("https://x/"));
    let mut want = f.expectations.clone();
    want.sort_by(|a, b| (&a.trace, &a.device).cmp(&(&b.trace, &b.device)));
    assert_eq!(again.expectations, want);
    assert_eq!(again.find("a/1.trace", "dev2").unwrap().checksum.as_deref(), Some("abcdef"));
}

#[test]
fn bad_piglit_and_json_name_the_place() {
    let e = piglit::parse("x\nPIGLIT: {\"images\": [}\n", None).unwrap_err();
    assert_eq!(e.line, Some(2));
    let e = piglit::parse("just a log\n", None).unwrap_err();
    assert!(e.message.contains("not piglit replayer output"), "{e}");
    let e = assay::parse(r#"{"traces": [{"name": "a", "actual_checksum": "zz"}]}"#, Some("d")).unwrap_err();
    assert_eq!(e.message, "traces[0] (a): actual_checksum 'zz' is not a hexadecimal checksum");
    let e = assay::parse(r#"{"traces": [{"name": "a", "actual_checksum": "aa"}]}"#, None).unwrap_err();
    assert!(e.message.contains("no device"), "{e}");
}
