//! Failure summaries on the corpus reports: every failed test of every
//! report that parses gets a summary of at most six lines with no stack
//! frame in it, and the dialects named in `shared::analytics::summary`
//! come out as a reader wants them.

use shared::analytics::summary::{MAX_LINES, summarize};
use shared::report::{FormatChoice, TestCase, parse_bytes};
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/test-reports")
}

fn reports(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("corpus directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            reports(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("xml" | "trx" | "golden")) {
            out.push(path);
        }
    }
}

fn cases(rel: &str) -> Vec<TestCase> {
    let bytes = std::fs::read(corpus().join(rel)).expect("corpus file");
    parse_bytes(&bytes, FormatChoice::Auto).expect("parses").cases
}

fn summary_of(rel: &str, name: &str) -> String {
    let case = cases(rel)
        .into_iter()
        .find(|c| c.name == name && c.status.is_bad())
        .unwrap_or_else(|| panic!("{name} in {rel}"));
    summarize(case.message.as_deref(), case.details.as_deref()).unwrap_or_else(|| panic!("no summary for {name}"))
}

#[test]
fn every_failure_in_the_corpus_gets_a_short_frame_free_summary() {
    let mut files = Vec::new();
    reports(&corpus(), &mut files);
    let (mut failures, mut summarised) = (0, 0);
    for path in files {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let Ok(report) = parse_bytes(&bytes, FormatChoice::Auto) else { continue };
        for c in report.cases.iter().filter(|c| c.status.is_bad()) {
            failures += 1;
            let Some(s) = summarize(c.message.as_deref(), c.details.as_deref()) else { continue };
            summarised += 1;
            assert!(s.lines().count() <= MAX_LINES, "{}: {}: {s}", path.display(), c.name);
            for line in s.lines() {
                let t = line.trim_start();
                assert!(
                    !(t.starts_with("at ") && (t.contains(".java:") || t.contains(".js:") || t.contains(".cs:line"))),
                    "{}: {}: a frame in the summary: {s}",
                    path.display(),
                    c.name
                );
                assert!(!line.trim().is_empty(), "blank line in {s:?}");
            }
        }
    }
    assert!(failures > 300, "only {failures} failures found in the corpus");
    // Only tests whose report gives no failure text at all go without.
    assert!(summarised * 100 >= failures * 95, "{summarised} of {failures} failures summarised");
}

#[test]
fn dialects_read_as_a_person_would() {
    assert_eq!(
        summary_of("dorny-test-reporter/__tests__/fixtures/jest-junit.xml", "Failing test"),
        "expect(received).toBeTruthy()\nReceived: false"
    );
    assert_eq!(summary_of("dorny-test-reporter/__tests__/fixtures/jest-junit.xml", "Exception in test"), "Some error");
    assert_eq!(
        summary_of("action-junit-report/test_results/python/report.xml", "test_with_error"),
        "AttributeError: 'dict' object has no attribute 'attr'"
    );
    assert_eq!(
        summary_of("dorny-test-reporter/__tests__/fixtures/python-xunit-unittest.xml", "test_always_fail"),
        "AssertionError: failed"
    );
    assert_eq!(
        summary_of("dorny-test-reporter/__tests__/fixtures/external/java/pulsar-test-report.xml", "testVersionStrings"),
        "AssertionError: expected [1.2.1] but found [1.2.0]"
    );
    assert_eq!(
        summary_of("dorny-test-reporter/__tests__/fixtures/dotnet-trx.trx", "Failing_Test"),
        "Assert.Equal() Failure\nExpected: 3\nActual:   2"
    );
    assert_eq!(
        summary_of("go-junit-report/testdata/001-report.xml", "TestOne"),
        "fail_test.go:6: Error message\nfail_test.go:7: Longer\n    error\n    message."
    );
}
