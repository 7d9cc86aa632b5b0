//! Visual Studio / `dotnet test --logger trx` results (MSTest, and the
//! xUnit, NUnit and MSTest adapters of VSTest).
//!
//! TRX writes `<Results>` before `<TestDefinitions>`, and only the
//! definitions name a test's class, so the results of one file are held
//! until the definitions have been read. Data-driven tests
//! (`<InnerResults>`) count their rows, not the parent.
//!
//! Outcomes: Passed/PassedButRunAborted/Warning/Completed pass; Failed and
//! Timeout fail; Error errors; NotExecuted, NotRunnable, Inconclusive,
//! Aborted, Pending, InProgress and Disconnected were not run (skipped).

use super::xml::{Node, Xml, XmlInput};
use super::{ParseError, Sink, TestCase, join_text, non_blank};
use crate::status::TestStatus;
use std::collections::HashMap;
use std::io::Read;

struct Pending {
    test_id: String,
    case: TestCase,
}

#[derive(Default)]
struct Definition {
    class: String,
    storage: Option<String>,
}

pub(crate) fn parse<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, sink: &mut Sink<'_>) -> Result<(), ParseError> {
    let mut results = Vec::new();
    let mut defs: HashMap<String, Definition> = HashMap::new();
    if !empty {
        loop {
            match x.next()? {
                Node::Open { empty } => match x.name() {
                    b"Results" => result_list(x, empty, &mut results)?,
                    b"TestDefinitions" => definitions(x, empty, &mut defs)?,
                    b"ResultSummary" => summary(x, empty, sink)?,
                    _ => x.skip(empty)?,
                },
                Node::Close => break,
                Node::Text => {}
                Node::Eof => return Err(x.error("unexpected end of file inside <TestRun>")),
            }
        }
    }
    for Pending { test_id, mut case } in results {
        if let Some(def) = defs.get(&test_id) {
            case.classname = def.class.clone();
            if let Some(storage) = &def.storage {
                case.suite = file_stem(storage);
            }
            if let Some(short) = case.name.strip_prefix(&format!("{}.", def.class)) {
                case.name = short.to_owned();
            }
        }
        sink.case(case)?;
    }
    Ok(())
}

/// Reads a `<Results>` list. Data-driven results nest (a result's
/// `<InnerResults>` is a list of results, which may have their own): the
/// nesting is walked with an explicit stack rather than recursion, so its
/// depth costs heap, not thread stack (the reader bounds it at
/// `MAX_DEPTH`).
fn result_list<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, out: &mut Vec<Pending>) -> Result<(), ParseError> {
    if empty {
        return Ok(());
    }
    enum Open {
        /// `<Results>` or `<InnerResults>`, with the results read in it.
        List(Vec<Pending>),
        /// A test result, with the rows of its `<InnerResults>`.
        Result { pending: Box<Pending>, inner: Vec<Pending> },
    }
    let mut stack = vec![Open::List(Vec::new())];
    loop {
        let node = x.next()?;
        let top = stack.last_mut().expect("the outermost list is popped last");
        match (top, node) {
            // UnitTestResult, and the rarer WebTestResult, GenericTestResult…
            (Open::List(items), Node::Open { empty }) if x.name().ends_with(b"TestResult") => {
                let pending = result_head(x);
                if empty {
                    items.push(pending);
                } else {
                    stack.push(Open::Result { pending: Box::new(pending), inner: Vec::new() });
                }
            }
            (Open::Result { pending, .. }, Node::Open { empty }) if x.name() == b"Output" => {
                output(x, empty, &mut pending.case)?;
            }
            (Open::Result { .. }, Node::Open { empty: false }) if x.name() == b"InnerResults" => {
                stack.push(Open::List(Vec::new()));
            }
            (_, Node::Open { empty }) => x.skip(empty)?,
            (_, Node::Text) => {}
            (Open::List(_), Node::Close) => {
                let Some(Open::List(items)) = stack.pop() else { unreachable!("the top is a list") };
                match stack.last_mut() {
                    Some(Open::Result { inner, .. }) => inner.extend(items),
                    Some(Open::List(_)) => unreachable!("a list opens only inside a result"),
                    None => {
                        out.extend(items);
                        return Ok(());
                    }
                }
            }
            (Open::Result { .. }, Node::Close) => {
                let Some(Open::Result { pending, inner }) = stack.pop() else { unreachable!("the top is a result") };
                let Some(Open::List(items)) = stack.last_mut() else { unreachable!("a result opens only in a list") };
                // Data-driven tests count their rows, not the parent.
                if inner.is_empty() {
                    items.push(*pending);
                } else {
                    items.extend(inner);
                }
            }
            (Open::List(_), Node::Eof) => return Err(x.error("unexpected end of file inside <Results>")),
            (Open::Result { .. }, Node::Eof) => return Err(x.error("unexpected end of file inside a test result")),
        }
    }
}

/// A test result from its element's attributes.
fn result_head<R: Read>(x: &Xml<XmlInput<R>>) -> Pending {
    let test_id = x.attr_owned(b"testId").unwrap_or_default();
    let outcome = x.attr_owned(b"outcome").unwrap_or_default();
    let mut case = TestCase {
        name: x.attr_owned(b"testName").unwrap_or_default(),
        duration_s: x.attr(b"duration").and_then(parse_timespan),
        status: status_of(&outcome),
        ..TestCase::default()
    };
    if let Some(computer) = x.attr_owned(b"computerName") {
        case.properties.push(crate::model::Property { name: "computerName".into(), value: computer });
    }
    Pending { test_id, case }
}

fn output<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, case: &mut TestCase) -> Result<(), ParseError> {
    if empty {
        return Ok(());
    }
    loop {
        match x.next()? {
            Node::Open { empty } => match x.name() {
                b"StdOut" | b"DebugTrace" | b"TextMessages" => {
                    let t = x.text_of(empty)?;
                    join_text(&mut case.stdout, &t);
                }
                b"StdErr" => {
                    let t = x.text_of(empty)?;
                    join_text(&mut case.stderr, &t);
                }
                b"ErrorInfo" => error_info(x, empty, case)?,
                _ => x.skip(empty)?,
            },
            Node::Close => return Ok(()),
            Node::Text => {}
            Node::Eof => return Err(x.error("unexpected end of file inside <Output>")),
        }
    }
}

fn error_info<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, case: &mut TestCase) -> Result<(), ParseError> {
    if empty {
        return Ok(());
    }
    loop {
        match x.next()? {
            Node::Open { empty } => match x.name() {
                b"Message" => case.message = non_blank(x.text_of(empty)?),
                b"StackTrace" => case.details = non_blank(x.text_of(empty)?),
                _ => x.skip(empty)?,
            },
            Node::Close => return Ok(()),
            Node::Text => {}
            Node::Eof => return Err(x.error("unexpected end of file inside <ErrorInfo>")),
        }
    }
}

fn definitions<R: Read>(
    x: &mut Xml<XmlInput<R>>,
    empty: bool,
    defs: &mut HashMap<String, Definition>,
) -> Result<(), ParseError> {
    if empty {
        return Ok(());
    }
    loop {
        match x.next()? {
            Node::Open { empty } => {
                // UnitTest (and WebTest, GenericTest…) with a TestMethod child.
                let id = x.attr_owned(b"id").unwrap_or_default();
                let storage = x.attr_owned(b"storage");
                let mut def = Definition { storage, ..Definition::default() };
                if !empty {
                    loop {
                        match x.next()? {
                            Node::Open { empty } if x.name() == b"TestMethod" => {
                                let class = x.attr_owned(b"className").unwrap_or_default();
                                // Old MSTest writes assembly-qualified names.
                                def.class = class.split(", ").next().unwrap_or_default().to_owned();
                                x.skip(empty)?;
                            }
                            Node::Open { empty } => x.skip(empty)?,
                            Node::Close => break,
                            Node::Text => {}
                            Node::Eof => {
                                return Err(x.error("unexpected end of file inside a test definition"));
                            }
                        }
                    }
                }
                defs.insert(id, def);
            }
            Node::Close => return Ok(()),
            Node::Text => {}
            Node::Eof => return Err(x.error("unexpected end of file inside <TestDefinitions>")),
        }
    }
}

fn summary<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, sink: &mut Sink<'_>) -> Result<(), ParseError> {
    if empty {
        return Ok(());
    }
    loop {
        match x.next()? {
            Node::Open { empty } if x.name() == b"Counters" => {
                sink.declared_total = x.attr(b"total").and_then(|t| t.trim().parse().ok());
                x.skip(empty)?;
            }
            Node::Open { empty } => x.skip(empty)?,
            Node::Close => return Ok(()),
            Node::Text => {}
            Node::Eof => return Err(x.error("unexpected end of file inside <ResultSummary>")),
        }
    }
}

fn status_of(outcome: &str) -> TestStatus {
    match outcome.to_ascii_lowercase().as_str() {
        "passed" | "passedbutrunaborted" | "warning" | "completed" => TestStatus::Passed,
        "failed" | "timeout" => TestStatus::Failed,
        "error" => TestStatus::Error,
        _ => TestStatus::Skipped,
    }
}

/// .NET TimeSpan text: `[d.]hh:mm:ss[.fffffff]`.
fn parse_timespan(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    let (days, rest) = match raw.split_once(':') {
        Some((head, _)) if head.contains('.') => {
            let (d, h) = head.split_once('.')?;
            (d.parse::<f64>().ok()?, format!("{h}{}", &raw[head.len()..]))
        }
        _ => (0.0, raw.to_owned()),
    };
    let mut parts = rest.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some(days * 86400.0 + h * 3600.0 + m * 60.0 + s)
}

pub(crate) fn file_stem(path: &str) -> String {
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    match base.rsplit_once('.') {
        Some((stem, ext)) if matches!(ext.to_ascii_lowercase().as_str(), "dll" | "exe") => stem.to_owned(),
        _ => base.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FormatChoice, ReportFormat, parse_bytes};

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("00:00:01.5"), Some(1.5));
        assert_eq!(parse_timespan("01:02:03"), Some(3723.0));
        assert_eq!(parse_timespan("1.00:00:01"), Some(86401.0));
        assert_eq!(parse_timespan("junk"), None);
    }

    #[test]
    fn results_get_their_class_from_definitions_that_come_later() {
        let trx = r#"<?xml version="1.0"?><TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
          <Results>
            <UnitTestResult testId="a" testName="Ns.Calc.Adds" duration="00:00:00.25" outcome="Passed"/>
            <UnitTestResult testId="b" testName="Ns.Calc.Fails" outcome="Failed"><Output><StdOut>hi</StdOut>
              <ErrorInfo><Message>Assert.True() Failure&#xD;
Expected: True</Message><StackTrace>at Ns.Calc.Fails()</StackTrace></ErrorInfo></Output></UnitTestResult>
            <UnitTestResult testId="c" testName="Skipped one" outcome="NotExecuted"/>
          </Results>
          <TestDefinitions>
            <UnitTest id="a" storage="C:\build\Ns.Tests.dll"><TestMethod className="Ns.Calc, Ns.Tests, Version=1.0" name="Adds"/></UnitTest>
            <UnitTest id="b" storage="C:\build\Ns.Tests.dll"><TestMethod className="Ns.Calc" name="Fails"/></UnitTest>
          </TestDefinitions>
          <ResultSummary outcome="Failed"><Counters total="3" passed="1" failed="1"/></ResultSummary>
        </TestRun>"#;
        let r = parse_bytes(trx.as_bytes(), FormatChoice::Auto).unwrap();
        assert_eq!(r.outcome.format, ReportFormat::Trx);
        assert_eq!(r.cases.len(), 3);
        let a = &r.cases[0];
        assert_eq!((a.suite.as_str(), a.classname.as_str(), a.name.as_str()), ("Ns.Tests", "Ns.Calc", "Adds"));
        assert_eq!(a.duration_s, Some(0.25));
        let b = &r.cases[1];
        assert_eq!(b.status, TestStatus::Failed);
        assert_eq!(b.message.as_deref(), Some("Assert.True() Failure\nExpected: True"));
        assert_eq!(b.details.as_deref(), Some("at Ns.Calc.Fails()"));
        assert_eq!(b.stdout.as_deref(), Some("hi"));
        assert_eq!(r.cases[2].status, TestStatus::Skipped);
        assert!(r.outcome.warnings.is_empty(), "{:?}", r.outcome.warnings);
    }
}
