//! Every report in the shared conformance corpus (`../shared/corpus`,
//! beside the repository, as on CI) parses to the figures its MANIFEST
//! gives: the producing or consuming tool's own expectation where the
//! MANIFEST has one, else the figures derived from the file.
//!
//! Where Assay deliberately counts differently, the file is listed in
//! [`DEVIATIONS`] with Assay's figures and the reason; the reasons are the
//! ones documented in `docs/report-formats.md`.

use shared::report::{FormatChoice, parse_bytes};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// (path suffix, Assay's figures: total, passed, failed, errors, skipped, flaky, why)
const DEVIATIONS: &[(&str, [i64; 6], &str)] = &[
    (
        "junit-xml/no-cases-but-tests.xml",
        [0, 0, 0, 0, 0, 0],
        "the header declares 6 tests but the file has no test case: Assay counts only tests it can show, and warns",
    ),
    (
        "junit-xml/junit.multiresult.xml",
        [4, 1, 2, 0, 1, 0],
        "a case with both <failure> and <error> counts as failed (the assertion failed; the error is teardown), as in the derived count",
    ),
    (
        "nunit/nunit3/jenkins/NUnit-sec1752-file.xml",
        [2, 1, 1, 0, 0, 0],
        "the external entity is declared, so the file is well-formed: it is read with &xxe; left unexpanded (as the .results.json expects), never resolved",
    ),
    ("nunit/nunit3/jenkins/NUnit-sec1752-https.xml", [2, 1, 1, 0, 0, 0], "as NUnit-sec1752-file.xml"),
];

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Expect {
    total: Option<i64>,
    passed: Option<i64>,
    failed: Option<i64>,
    errors: Option<i64>,
    skipped: Option<i64>,
    /// The tool has no "error" outcome: its failed = our failed + errors.
    lumped: bool,
    retried: Option<i64>,
}

#[derive(Debug)]
enum Expectation {
    Rejected,
    /// Any one of these views must match (e.g. EnricoMi's "tests" and "runs").
    AnyOf(Vec<Expect>, &'static str),
}

struct Row {
    path: PathBuf,
    rel: String,
    format: String,
    expected: String,
}

fn corpus_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("ASSAY_CORPUS") {
        return PathBuf::from(dir);
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.join("../../shared/corpus")
}

fn manifest_rows() -> Vec<Row> {
    let dir = corpus_dir();
    let text = std::fs::read_to_string(dir.join("MANIFEST.md")).unwrap_or_else(|e| {
        panic!("the conformance corpus must be at {} (set ASSAY_CORPUS to move it): {e}", dir.display())
    });
    let mut rows = Vec::new();
    let mut base: Option<String> = None;
    let mut in_table = false;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            base = h.split_whitespace().next().filter(|p| p.ends_with('/')).map(str::to_owned);
            in_table = false;
            continue;
        }
        if line.starts_with("| file | format | producing tool | expected figures |") {
            in_table = true;
            continue;
        }
        if !in_table || !line.starts_with("| `") {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let [file, format, _tool, expected] = cells[..] else {
            continue;
        };
        let Some(base) = &base else { continue };
        let rel = format!("{base}{}", file.trim_matches('`'));
        rows.push(Row { path: dir.join(&rel), rel, format: format.to_owned(), expected: expected.to_owned() });
    }
    rows
}

fn is_xml_format(format: &str) -> bool {
    matches!(
        format,
        "JUnit XML"
            | ".NET TRX"
            | "NUnit 2 XML"
            | "NUnit 3 XML"
            | "xUnit.net v2 XML"
            | "xml?"
            | "xml:suites"
            | "xml:test-suite"
    )
}

fn num_after(text: &str, key: &str) -> Option<i64> {
    let i = text.find(key)? + key.len();
    let digits: String = text[i..].chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
    digits.parse().ok()
}

fn expectation(row: &Row) -> Expectation {
    let e = &row.expected;
    let tool = e.split("<br>").filter(|p| p.starts_with("tool-expected")).collect::<Vec<_>>();
    let derived = e.split("<br>").find(|p| p.starts_with("derived:")).unwrap_or("");
    // Not XML is not XML, however lenient some tool is with it.
    if derived.contains("NOT WELL-FORMED")
        || tool.iter().any(|t| t.contains("parse exception") || t.contains("parse errors:") || t.contains("(corrupt)"))
    {
        return Expectation::Rejected;
    }
    // EnricoMi's results files: unique tests and all runs.
    for t in &tool {
        if let (Some(ti), Some(ri)) = (t.find(", tests "), t.find("), runs ")) {
            let view = |s: &str| Expect {
                total: num_after(s, " "),
                passed: num_after(s, "succ "),
                skipped: num_after(s, "skip "),
                failed: num_after(s, "fail "),
                errors: num_after(s, "error "),
                ..Expect::default()
            };
            let tests = view(&t[ti + ", tests".len()..ri]);
            let runs = view(&t[ri + "), runs".len()..]);
            return Expectation::AnyOf(vec![tests, runs], "tool-expected (EnricoMi results.json)");
        }
    }
    for t in &tool {
        if t.contains("parse exception") || t.contains("(corrupt)") {
            return Expectation::Rejected;
        }
        if let Some(i) = t.find("dorny output") {
            let s = &t[i..];
            return Expectation::AnyOf(
                vec![Expect {
                    passed: num_after(s, "passed "),
                    failed: num_after(s, "failed "),
                    skipped: num_after(s, "skipped "),
                    lumped: true,
                    ..Expect::default()
                }],
                "tool-expected (dorny)",
            );
        }
        if t.contains("testParser.test.ts") {
            let s = t.split(':').nth(1).unwrap_or("");
            if s.contains("total") {
                return Expectation::AnyOf(
                    vec![Expect {
                        total: num_after(s, "total "),
                        passed: num_after(s, "passed "),
                        failed: num_after(s, "failed "),
                        skipped: num_after(s, "skipped "),
                        retried: num_after(s, "retried "),
                        lumped: true,
                        ..Expect::default()
                    }],
                    "tool-expected (mikepenz testParser.test.ts)",
                );
            }
        }
    }
    if derived.contains("NOT WELL-FORMED") || (derived.trim() == "derived: {}" && row.format.starts_with("xml:")) {
        return Expectation::Rejected;
    }
    if derived.contains(", tests ") && derived.contains(", passed ") {
        return Expectation::AnyOf(
            vec![Expect {
                total: num_after(derived, ", tests "),
                passed: num_after(derived, "passed "),
                failed: num_after(derived, "failed "),
                errors: num_after(derived, "errors "),
                skipped: num_after(derived, "skipped "),
                ..Expect::default()
            }],
            "derived",
        );
    }
    // TRX / NUnit / xUnit tallies by raw outcome: `UnitTestResult 0 {}`,
    // `test-case 18 {'Failed': 1, …}`, `test 3 {'Pass': 1, …}`.
    for key in ["UnitTestResult ", "test-case ", "test "] {
        if let Some(i) = derived.find(&format!("derived: {key}")) {
            let s = &derived[i + "derived: ".len() + key.len()..];
            let total = num_after(s, "");
            let tally = s.find('{').and_then(|a| s[a..].find('}').map(|b| &s[a + 1..a + b])).unwrap_or("");
            let mut x = Expect {
                total,
                passed: Some(0),
                failed: Some(0),
                errors: Some(0),
                skipped: Some(0),
                ..Expect::default()
            };
            for entry in tally.split(", ").filter(|p| !p.is_empty()) {
                let (k, v) = entry.split_once(": ").unwrap();
                let k = k.trim_matches('\'');
                let v: i64 = v.parse().unwrap();
                let outcome = k.split('/').next().unwrap();
                let slot = match outcome {
                    "Passed" | "Pass" | "Success" => &mut x.passed,
                    "Failed" | "Fail" | "Failure" | "Timeout" => &mut x.failed,
                    "Error" => &mut x.errors,
                    _ if outcome.starts_with("executed=") => {
                        x.passed = None;
                        x.failed = None;
                        x.errors = None;
                        x.skipped = None;
                        break;
                    }
                    _ => &mut x.skipped,
                };
                *slot.as_mut().unwrap() += v;
            }
            return Expectation::AnyOf(vec![x], "derived tally");
        }
    }
    panic!("no usable expectation for {}: {}", row.rel, row.expected);
}

fn matches(x: &Expect, c: &shared::Counts, retried: i64) -> bool {
    let failed = if x.lumped { c.failed + c.errors } else { c.failed };
    let ok = |want: Option<i64>, got: i64| want.is_none_or(|w| w == got);
    ok(x.total, c.total)
        && ok(x.passed, c.passed)
        && ok(x.failed, failed)
        && ok(if x.lumped { None } else { x.errors }, c.errors)
        && ok(x.skipped, c.skipped)
        && ok(x.retried, retried)
}

#[test]
fn every_xml_report_in_the_corpus_parses_to_its_manifest_figures() {
    let rows = manifest_rows();
    let xml_rows: Vec<&Row> = rows.iter().filter(|r| is_xml_format(&r.format)).collect();
    assert!(xml_rows.len() >= 190, "expected the whole corpus, found {} XML rows", xml_rows.len());
    let mut failures = Vec::new();
    let mut by_outcome = BTreeMap::<&str, usize>::new();
    for row in xml_rows {
        let bytes = std::fs::read(&row.path).unwrap_or_else(|e| panic!("{}: {e}", row.path.display()));
        let parsed = parse_bytes(&bytes, FormatChoice::Auto);
        let deviation = DEVIATIONS.iter().find(|(suffix, _, _)| row.rel.ends_with(suffix));
        match (parsed, deviation) {
            (Ok(r), Some((_, want, _))) => {
                let c = r.outcome.counts;
                let got = [c.total, c.passed, c.failed, c.errors, c.skipped, c.flaky];
                if &got != want {
                    failures.push(format!("{}: got {got:?}, documented deviation says {want:?}", row.rel));
                }
                *by_outcome.entry("deviation (documented)").or_default() += 1;
            }
            (Err(e), Some(_)) => failures.push(format!("{}: documented as accepted but rejected: {e}", row.rel)),
            (parsed, None) => match (expectation(row), parsed) {
                (Expectation::Rejected, Err(e)) => {
                    if e.message.trim().is_empty() || (e.offset.is_some() && e.line.is_none()) {
                        failures.push(format!("{}: error without a clear message or position: {e:?}", row.rel));
                    }
                    *by_outcome.entry("rejected as expected").or_default() += 1;
                }
                (Expectation::Rejected, Ok(r)) => {
                    failures.push(format!("{}: should be rejected, parsed {:?}", row.rel, r.outcome.counts))
                }
                (Expectation::AnyOf(_, source), Err(e)) => {
                    failures.push(format!("{}: rejected ({e}) but {source} has figures", row.rel))
                }
                (Expectation::AnyOf(views, source), Ok(r)) => {
                    let retried: i64 = r.cases.iter().map(|c| i64::from(c.retries)).sum();
                    if !views.iter().any(|v| matches(v, &r.outcome.counts, retried)) {
                        failures.push(format!(
                            "{}: got {:?} (retried {retried}), {source} says {views:?}",
                            row.rel, r.outcome.counts
                        ));
                    }
                    *by_outcome.entry(source).or_default() += 1;
                }
            },
        }
    }
    eprintln!("corpus outcomes: {by_outcome:?}");
    assert!(failures.is_empty(), "{} corpus mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_non_xml_report_is_rejected_with_a_hint() {
    let rows = manifest_rows();
    let mut seen = 0;
    for row in rows.iter().filter(|r| !is_xml_format(&r.format)) {
        let bytes = std::fs::read(&row.path).unwrap();
        let err = parse_bytes(&bytes, FormatChoice::Auto).expect_err(&row.rel);
        assert!(
            err.message.contains("JSON") || err.message.contains("not an XML") || err.message.contains("empty"),
            "{}: {err}",
            row.rel
        );
        seen += 1;
    }
    assert!(seen > 10);
    let tap_dir = corpus_dir().join("test-reports/tapjs/src/parser/test/fixtures");
    for entry in std::fs::read_dir(&tap_dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(parse_bytes(&bytes, FormatChoice::Auto).is_err(), "{} is TAP", path.display());
    }
}

/// `generated-locally/` is described in prose, not in a table.
#[test]
fn ctest_and_nextest_files_generated_by_the_real_tools() {
    let dir = corpus_dir().join("test-reports/generated-locally");
    let ctest = parse_bytes(&std::fs::read(dir.join("ctest/ctest-junit.xml")).unwrap(), FormatChoice::Auto).unwrap();
    let c = ctest.outcome.counts;
    // CTest: 3 passed, 2 failed (fails, times_out), 2 skipped + 1 disabled.
    assert_eq!((c.total, c.passed, c.failed, c.errors, c.skipped), (8, 3, 2, 0, 3));
    let odd = ctest.cases.iter().find(|t| t.name.contains("ünïcode")).unwrap();
    assert_eq!(odd.name, "name with <xml> & ünïcode");

    let nextest =
        parse_bytes(&std::fs::read(dir.join("cargo-nextest/junit.xml")).unwrap(), FormatChoice::Auto).unwrap();
    let c = nextest.outcome.counts;
    // "6 tests run: 5 passed (1 flaky), 1 failed, 1 skipped" — the ignored
    // test is absent from the JUnit file.
    assert_eq!((c.total, c.passed, c.failed, c.flaky), (6, 5, 1, 1));
    let failing = nextest.cases.iter().find(|t| t.status == shared::TestStatus::Failed).unwrap();
    assert_eq!(failing.retries, 2);
    assert!(nextest.outcome.warnings.is_empty(), "{:?}", nextest.outcome.warnings);
}
