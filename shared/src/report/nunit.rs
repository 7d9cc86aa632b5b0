//! NUnit result XML, version 3 (`<test-run>`) and version 2
//! (`<test-results>`, or a bare `<test-suite>`), in one reader since their
//! shapes nest the same way and differ mostly in attribute vocabulary.
//!
//! Outcomes follow NUnit's own summary: v3 `Failed` with any label
//! (Error, Invalid, Cancelled, timeout) is failed, `Inconclusive` and
//! `Skipped` are skipped, `Warning` passed; v2 `Success`, `Failure`,
//! `Error`, and everything not run (`Ignored`, `NotRunnable`,
//! `Inconclusive`, `Skipped`, `Cancelled`) is skipped. NUnit 2.2 files with
//! only `executed`/`success` are read too.

use super::blocks::{message_and_stack, name_values};
use super::xml::{Node, Xml, XmlInput};
use super::{ParseError, Sink, TestCase, join_text, parse_seconds};
use crate::status::TestStatus;
use std::io::Read;

pub(crate) fn parse<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, sink: &mut Sink<'_>) -> Result<(), ParseError> {
    if x.name() == b"test-run" {
        sink.declared_total = x.attr(b"total").and_then(|t| t.trim().parse().ok());
    }
    if empty {
        return Ok(());
    }
    // The containers (test-run, test-results, test-suite, results) open
    // around the reader, as an explicit stack rather than recursion. Each
    // entry says whether that container named the assembly.
    let mut assembly: Option<String> = None;
    let mut open: Vec<bool> = Vec::with_capacity(8);
    open.push(x.name() == b"test-suite" && enter_suite(x, &mut assembly));
    while !open.is_empty() {
        match x.next()? {
            Node::Open { empty } => match x.name() {
                b"test-suite" if !empty => {
                    let named = enter_suite(x, &mut assembly);
                    open.push(named);
                }
                b"results" if !empty => open.push(false),
                b"test-case" => {
                    let case = test_case(x, empty, assembly.as_deref().unwrap_or_default())?;
                    sink.case(case)?;
                }
                _ => x.skip(empty)?,
            },
            Node::Close => {
                if open.pop() == Some(true) {
                    assembly = None;
                }
            }
            Node::Text => {}
            Node::Eof => return Err(x.error("unexpected end of file")),
        }
    }
    Ok(())
}

/// The outermost suite (type="Assembly", or the first one in NUnit 2.2)
/// names the test assembly: that is the suite a user recognises. True if
/// this suite is that one.
fn enter_suite<R: Read>(x: &Xml<XmlInput<R>>, assembly: &mut Option<String>) -> bool {
    if assembly.is_some() {
        return false;
    }
    let name = x.attr_owned(b"name").unwrap_or_default();
    *assembly = Some(super::trx::file_stem(&name));
    true
}

fn test_case<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, assembly: &str) -> Result<TestCase, ParseError> {
    let full = x.attr_owned(b"fullname").or_else(|| x.attr_owned(b"name")).unwrap_or_default();
    let v3_class = x.attr_owned(b"classname");
    let (classname, name) = match v3_class {
        Some(class) => {
            let name = x.attr_owned(b"name").unwrap_or_default();
            (class, name)
        }
        None => split_full_name(&full),
    };
    let status = status_of(x.attr(b"result"), x.attr(b"executed"), x.attr(b"success"));
    let mut case = TestCase {
        suite: assembly.to_owned(),
        classname,
        name,
        duration_s: x.attr(b"duration").or_else(|| x.attr(b"time")).and_then(parse_seconds),
        ..TestCase::default()
    };
    if let Some(label) = x.attr_owned(b"label") {
        case.failure_type = Some(label);
    }
    let mut has_failure = false;
    if !empty {
        loop {
            match x.next()? {
                Node::Open { empty } => match x.name() {
                    b"failure" => {
                        has_failure = true;
                        message_and_stack(x, empty, "failure", &mut case)?;
                    }
                    b"reason" => message_and_stack(x, empty, "reason", &mut case)?,
                    b"output" => {
                        let t = x.text_of(empty)?;
                        join_text(&mut case.stdout, &t);
                    }
                    b"properties" => name_values(x, empty, b"property", "properties", &mut case.properties)?,
                    _ => x.skip(empty)?,
                },
                Node::Close => break,
                Node::Text => {}
                Node::Eof => return Err(x.error("unexpected end of file inside <test-case>")),
            }
        }
    }
    case.status = match status {
        Some(s) => s,
        None if has_failure => TestStatus::Failed,
        None => TestStatus::Passed,
    };
    Ok(case)
}

/// The status the attributes decide, or `None` when only the children can
/// tell (NUnit 2.2 writes just `executed`, sometimes without `success`, and
/// some writers misspell it: a `<failure>` child then decides).
fn status_of(result: Option<&str>, executed: Option<&str>, success: Option<&str>) -> Option<TestStatus> {
    let word = |v: Option<&str>| v.map(|v| v.trim().to_ascii_lowercase());
    match word(result) {
        Some(r) => Some(match r.as_str() {
            "passed" | "success" | "warning" => TestStatus::Passed,
            "failed" | "failure" => TestStatus::Failed,
            "error" => TestStatus::Error,
            _ => TestStatus::Skipped,
        }),
        None if word(executed).as_deref() == Some("false") => Some(TestStatus::Skipped),
        None => match word(success).as_deref() {
            Some("true") => Some(TestStatus::Passed),
            Some("false") => Some(TestStatus::Failed),
            _ => None,
        },
    }
}

/// `Ns.Class.Method(1.5, "a.b")` → (`Ns.Class`, `Method(1.5, "a.b")`):
/// the class is everything before the last dot outside the arguments.
fn split_full_name(full: &str) -> (String, String) {
    let head_end = full.find('(').unwrap_or(full.len());
    match full[..head_end].rfind('.') {
        Some(dot) => (full[..dot].to_owned(), full[dot + 1..].to_owned()),
        None => (String::new(), full.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FormatChoice, parse_bytes};

    #[test]
    fn full_names_split_outside_arguments() {
        assert_eq!(split_full_name("A.B.C(1.5)"), ("A.B".into(), "C(1.5)".into()));
        assert_eq!(split_full_name("Plain"), ("".into(), "Plain".into()));
    }

    #[test]
    fn v2_and_v3_vocabularies() {
        use TestStatus::*;
        assert_eq!(status_of(Some("Success"), None, None), Some(Passed));
        assert_eq!(status_of(Some("Error"), None, None), Some(Error));
        assert_eq!(status_of(Some("NotRunnable"), None, None), Some(Skipped));
        assert_eq!(status_of(Some("Failed"), None, None), Some(Failed));
        assert_eq!(status_of(Some("Inconclusive"), None, None), Some(Skipped));
        assert_eq!(status_of(None, Some("False"), None), Some(Skipped));
        assert_eq!(status_of(None, Some("true"), Some("True")), Some(Passed));
        assert_eq!(status_of(None, Some("True"), Some("False")), Some(Failed));
        assert_eq!(status_of(None, Some("True"), Some("Turue")), None);
        assert_eq!(status_of(None, Some("True"), None), None);
    }

    #[test]
    fn nunit3_case_with_failure_and_output() {
        let xml = r#"<test-run total="1"><test-suite type="Assembly" name="My.Tests.dll">
            <test-suite type="TestFixture" name="Calc"><test-case name="Adds" classname="My.Calc" result="Failed" label="Error" duration="0.5">
            <failure><message><![CDATA[boom]]></message><stack-trace>at Adds</stack-trace></failure><output>printed</output>
            <properties><property name="Category" value="fast"/></properties>
            </test-case></test-suite></test-suite></test-run>"#;
        let r = parse_bytes(xml.as_bytes(), FormatChoice::Auto).unwrap();
        let c = &r.cases[0];
        assert_eq!((c.suite.as_str(), c.classname.as_str(), c.name.as_str()), ("My.Tests", "My.Calc", "Adds"));
        assert_eq!(c.status, TestStatus::Failed);
        assert_eq!(c.message.as_deref(), Some("boom"));
        assert_eq!(c.details.as_deref(), Some("at Adds"));
        assert_eq!(c.stdout.as_deref(), Some("printed"));
        assert_eq!(c.failure_type.as_deref(), Some("Error"));
        assert_eq!(c.properties[0].value, "fast");
    }
}
