//! JUnit XML, as written by Ant/Jenkins, Maven Surefire/Failsafe, Gradle,
//! pytest (xunit1/xunit2), jest-junit, mocha, go-junit-report, gotestsum,
//! cargo-nextest, PHPUnit, CTest, Catch2, TST and many more.
//!
//! Accepted shapes: `<testsuites>` or a bare `<testsuite>` root, suites
//! nested to any depth, test cases directly under `<testsuites>`.
//! Dialect details handled here:
//! - several `<failure>`/`<error>` children in one case (one failed test);
//! - Surefire/nextest `flakyFailure`/`flakyError` (flaky pass) and
//!   `rerunFailure`/`rerunError` (retries of a failed test), with their
//!   nested `stackTrace`, `system-out` and `system-err`;
//! - `status="disabled"` (CTest, TST) counts as skipped;
//! - `file`/`line` attributes (pytest, Jest) and test-case `<properties>`.

use super::blocks::name_values;
use super::xml::{Node, Xml, XmlInput};
use super::{ParseError, Sink, TestCase, join_text, non_blank, parse_seconds};
use crate::status::TestStatus;
use crate::test_key::SUITE_SEPARATOR;
use std::io::Read;

pub(crate) fn parse<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, sink: &mut Sink<'_>) -> Result<(), ParseError> {
    sink.merge_repeats = true;
    sink.declared_total = x.attr(b"tests").and_then(|t| t.trim().parse::<i64>().ok());
    if empty {
        return Ok(());
    }
    let mut path = Path::default();
    // The containers open around the reader, innermost last: an explicit
    // stack rather than recursion, so depth costs heap, not thread stack
    // (and the reader bounds it at `MAX_DEPTH`). Each entry says whether
    // the container added a name to the path.
    let mut open: Vec<bool> = Vec::with_capacity(8);
    open.push(x.name() == b"testsuite" && path.enter(x.attr(b"name")));
    while !open.is_empty() {
        match x.next()? {
            Node::Open { empty } => match x.name() {
                // An empty <testsuite/> holds no cases: nothing to enter.
                b"testsuite" if !empty => {
                    let pushed = path.enter(x.attr(b"name"));
                    open.push(pushed);
                }
                b"testcase" => {
                    let case = test_case(x, empty, &path.joined)?;
                    sink.case(case)?;
                }
                _ => x.skip(empty)?,
            },
            Node::Close => {
                if open.pop() == Some(true) {
                    path.leave();
                }
            }
            Node::Text => {}
            Node::Eof => return Err(x.error("unexpected end of file inside <testsuite>")),
        }
    }
    Ok(())
}

/// The enclosing suite names, kept joined as well: every case needs it.
#[derive(Default)]
struct Path {
    lens: Vec<usize>,
    joined: String,
}

impl Path {
    /// Adds a suite's name, if it has one; true if something was added.
    fn enter(&mut self, name: Option<&str>) -> bool {
        let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) else { return false };
        self.lens.push(self.joined.len());
        if !self.joined.is_empty() {
            self.joined.push_str(SUITE_SEPARATOR);
        }
        self.joined.push_str(n);
        true
    }

    fn leave(&mut self) {
        let len = self.lens.pop().unwrap_or(0);
        self.joined.truncate(len);
    }
}

#[derive(Default)]
struct Outcome {
    failed: bool,
    errored: bool,
    skipped: bool,
}

/// The element just opened is a `<testcase>`.
fn test_case<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, suite: &str) -> Result<TestCase, ParseError> {
    let mut case = TestCase {
        suite: suite.to_owned(),
        classname: x.attr_owned(b"classname").or_else(|| x.attr_owned(b"class")).unwrap_or_default(),
        name: x.attr_owned(b"name").unwrap_or_default(),
        duration_s: x.attr(b"time").and_then(parse_seconds),
        file: x.attr_owned(b"file"),
        line: x.attr(b"line").and_then(|l| l.trim().parse().ok()),
        ..TestCase::default()
    };
    let status_attr = x.attr_owned(b"status").map(|s| s.to_ascii_lowercase());
    let mut outcome = Outcome::default();
    // Which element the message came from: a failure outranks an error.
    let mut message_from: Option<bool> = None;
    if !empty {
        loop {
            match x.next()? {
                Node::Open { empty } => match x.name() {
                    kind @ (b"failure" | b"error") => {
                        let is_failure = kind == b"failure";
                        let message = x.attr_owned(b"message");
                        let kind_attr = x.attr_owned(b"type");
                        let body = x.text_of(empty)?;
                        if is_failure {
                            outcome.failed = true;
                        } else {
                            outcome.errored = true;
                        }
                        // The first failure's message wins, over an error
                        // that came before it.
                        let replace = match message_from {
                            None => true,
                            Some(from_failure) => is_failure && !from_failure,
                        };
                        if replace {
                            message_from = Some(is_failure);
                            // Without a message attribute (jest, mocha), the
                            // body's first line is what users read first.
                            case.message = message.clone().or_else(|| first_line(&body));
                            case.failure_type = kind_attr;
                        }
                        let text = if body.trim().is_empty() { message.unwrap_or_default() } else { body };
                        join_text(&mut case.details, &text);
                    }
                    b"skipped" => {
                        outcome.skipped = true;
                        let message = x.attr_owned(b"message");
                        let body = x.text_of(empty)?;
                        if case.message.is_none() {
                            case.message = message.or_else(|| non_blank(body.clone()));
                        }
                        if !body.trim().is_empty() && case.details.is_none() {
                            case.details = non_blank(body);
                        }
                    }
                    kind @ (b"flakyFailure" | b"flakyError" | b"rerunFailure" | b"rerunError") => {
                        let flaky = kind.starts_with(b"flaky");
                        let label = String::from_utf8_lossy(kind).into_owned();
                        rerun(x, empty, &mut case, flaky, &label)?;
                    }
                    b"system-out" => {
                        let t = x.text_of(empty)?;
                        join_text(&mut case.stdout, &t);
                    }
                    b"system-err" => {
                        let t = x.text_of(empty)?;
                        join_text(&mut case.stderr, &t);
                    }
                    b"properties" => name_values(x, empty, b"property", "properties", &mut case.properties)?,
                    _ => x.skip(empty)?,
                },
                Node::Close => break,
                Node::Text => {}
                Node::Eof => return Err(x.error("unexpected end of file inside <testcase>")),
            }
        }
    }
    case.status = match status_attr.as_deref() {
        Some("disabled") => {
            if case.message.is_none() {
                case.message = Some("disabled".into());
            }
            TestStatus::Skipped
        }
        _ if outcome.failed => TestStatus::Failed,
        _ if outcome.errored => TestStatus::Error,
        _ if outcome.skipped => TestStatus::Skipped,
        Some("skipped" | "notrun" | "ignored") => TestStatus::Skipped,
        _ => TestStatus::Passed,
    };
    if case.status != TestStatus::Passed {
        case.flaky = false;
    }
    Ok(case)
}

/// `flakyFailure`, `flakyError`, `rerunFailure`, `rerunError`: an earlier
/// attempt of this test, with its own stack trace and output.
fn rerun<R: Read>(
    x: &mut Xml<XmlInput<R>>,
    empty: bool,
    case: &mut TestCase,
    flaky: bool,
    label: &str,
) -> Result<(), ParseError> {
    case.retries += 1;
    if flaky {
        case.flaky = true;
    }
    let message = x.attr_owned(b"message");
    let kind = x.attr_owned(b"type");
    if case.message.is_none() {
        case.message = message.clone();
        case.failure_type = kind;
    }
    let mut text = String::new();
    let mut trace = String::new();
    if !empty {
        loop {
            match x.next()? {
                Node::Open { empty } => match x.name() {
                    b"stackTrace" => trace = x.text_of(empty)?,
                    b"system-out" => {
                        let t = x.text_of(empty)?;
                        join_text(&mut case.stdout, &t);
                    }
                    b"system-err" => {
                        let t = x.text_of(empty)?;
                        join_text(&mut case.stderr, &t);
                    }
                    _ => x.skip(empty)?,
                },
                Node::Text => text.push_str(x.text()),
                Node::Close => break,
                Node::Eof => return Err(x.error("unexpected end of file")),
            }
        }
    }
    let mut block = format!("── {label} (attempt {}) ──", case.retries);
    if let Some(m) = &message {
        block.push('\n');
        block.push_str(m);
    }
    for part in [text.trim_matches(['\n', '\r']), trace.trim_matches(['\n', '\r'])] {
        if !part.trim().is_empty() {
            block.push('\n');
            block.push_str(part);
        }
    }
    join_text(&mut case.details, &block);
    Ok(())
}

/// The first non-blank line, trimmed and cut to 500 characters.
fn first_line(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(line.chars().take(500).collect())
}

#[cfg(test)]
mod tests {
    use crate::report::{FormatChoice, ReportFormat, parse_bytes};
    use crate::status::TestStatus::*;

    fn parse(xml: &str) -> crate::report::Report {
        parse_bytes(xml.as_bytes(), FormatChoice::Auto).unwrap()
    }

    #[test]
    fn nested_suites_build_a_path_and_root_testsuites_name_is_not_part_of_it() {
        let r = parse(
            r#"<testsuites name="all"><testsuite name="a"><testsuite name="b">
               <testcase classname="C" name="t" time="0.5"/></testsuite></testsuite></testsuites>"#,
        );
        assert_eq!(r.outcome.format, ReportFormat::Junit);
        assert_eq!(r.cases[0].suite, "a › b");
        assert_eq!(r.cases[0].duration_s, Some(0.5));
    }

    #[test]
    fn several_failures_make_one_failed_test_with_every_failure_in_details() {
        let r = parse(
            r#"<testsuite name="s"><testcase name="t">
                 <error message="e1">trace e1</error>
                 <failure message="f1" type="Assert">trace f1</failure>
                 <failure message="f2">trace f2</failure>
               </testcase></testsuite>"#,
        );
        let c = &r.cases[0];
        assert_eq!(c.status, Failed);
        assert_eq!(c.message.as_deref(), Some("f1"));
        assert_eq!(c.failure_type.as_deref(), Some("Assert"));
        let d = c.details.as_deref().unwrap();
        assert!(d.contains("trace e1") && d.contains("trace f1") && d.contains("trace f2"), "{d}");
        assert_eq!(r.outcome.counts.failed, 1);
        assert_eq!(r.outcome.counts.total, 1);
    }

    #[test]
    fn surefire_flaky_and_rerun_markers() {
        let r = parse(
            r#"<testsuite name="s">
                <testcase name="flaky"><flakyFailure message="first" type="AE"><stackTrace>at x</stackTrace><system-out>out1</system-out></flakyFailure></testcase>
                <testcase name="broken"><failure message="last">t</failure><rerunFailure message="r1"/><rerunFailure message="r2"/></testcase>
               </testsuite>"#,
        );
        let flaky = &r.cases[0];
        assert_eq!((flaky.status, flaky.flaky, flaky.retries), (Passed, true, 1));
        assert_eq!(flaky.message.as_deref(), Some("first"));
        assert!(flaky.details.as_deref().unwrap().contains("at x"));
        assert_eq!(flaky.stdout.as_deref(), Some("out1"));
        let broken = &r.cases[1];
        assert_eq!((broken.status, broken.flaky, broken.retries), (Failed, false, 2));
        assert_eq!(broken.message.as_deref(), Some("last"));
        assert_eq!((r.outcome.counts.passed, r.outcome.counts.flaky, r.outcome.counts.failed), (1, 1, 1));
    }

    #[test]
    fn a_failure_without_message_takes_its_first_line() {
        let r = parse(
            "<testsuite name=\"s\"><testcase name=\"t\"><failure>\n  Error: expect(received).toBe(1)\n    at x.js:1</failure></testcase></testsuite>",
        );
        assert_eq!(r.cases[0].message.as_deref(), Some("Error: expect(received).toBe(1)"));
        assert!(r.cases[0].details.as_deref().unwrap().contains("at x.js:1"));
    }

    #[test]
    fn disabled_counts_as_skipped_even_with_a_failure() {
        let r = parse(
            r#"<testsuites><testsuite name="s"><testcase name="t" status="disabled"><failure>x</failure></testcase></testsuite></testsuites>"#,
        );
        assert_eq!(r.cases[0].status, Skipped);
    }

    #[test]
    fn repeated_failing_case_is_one_flaky_test() {
        let r = parse(
            r#"<testsuite name="s" tests="3">
                 <testcase classname="c" name="t"><failure message="boom"/></testcase>
                 <testcase classname="c" name="u"/>
                 <testcase classname="c" name="t"/>
               </testsuite>"#,
        );
        assert_eq!(r.cases.len(), 2);
        assert_eq!((r.cases[0].name.as_str(), r.cases[0].status, r.cases[0].flaky), ("t", Passed, true));
        assert_eq!(r.cases[0].message.as_deref(), Some("boom"));
        let c = r.outcome.counts;
        assert_eq!((c.total, c.passed, c.failed, c.flaky), (2, 2, 0, 1));
        // The header counted every attempt (3): that agrees with the file.
        assert!(r.outcome.warnings.is_empty(), "{:?}", r.outcome.warnings);
    }

    #[test]
    fn properties_output_and_location() {
        let r = parse(
            r#"<testsuite name="s"><testcase name="t" file="a.py" line="12">
                 <properties><property name="k" value="v"/><property name="body">text</property></properties>
                 <system-out><![CDATA[hello <world>]]></system-out><system-err>err</system-err>
               </testcase></testsuite>"#,
        );
        let c = &r.cases[0];
        assert_eq!(c.properties.len(), 2);
        assert_eq!(c.properties[1].value, "text");
        assert_eq!(c.stdout.as_deref(), Some("hello <world>"));
        assert_eq!(c.stderr.as_deref(), Some("err"));
        assert_eq!((c.file.as_deref(), c.line), (Some("a.py"), Some(12)));
    }

    #[test]
    fn malformed_xml_names_line_and_column() {
        let err = parse_bytes(b"<testsuite>\n  <testcase name=\"a\">\n</testsuite>", FormatChoice::Auto).unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.message.contains("</testsuite>"), "{err}");
    }
}
