//! xUnit.net v2 (and v1) XML (`dotnet test` with the xunit logger, the xUnit
//! console runner `-xml`, Fixie and others writing the same shape).
//!
//! `Pass`, `Fail`, `Skip`; `NotRun` counts as skipped. Errors outside any
//! test (`<errors>`: fixture or assembly clean-up failures) become errored
//! results named after what failed, so they are not lost.

use super::blocks::{message_and_stack, name_values};
use super::xml::{Node, Xml, XmlInput};
use super::{ParseError, Sink, TestCase, join_text, non_blank, parse_seconds};
use crate::status::TestStatus;
use std::io::Read;

pub(crate) fn parse<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, sink: &mut Sink<'_>) -> Result<(), ParseError> {
    if x.name() == b"assembly" {
        return assembly(x, empty, sink);
    }
    if empty {
        return Ok(());
    }
    loop {
        match x.next()? {
            Node::Open { empty } if x.name() == b"assembly" => assembly(x, empty, sink)?,
            Node::Open { empty } => x.skip(empty)?,
            Node::Close => return Ok(()),
            Node::Text => {}
            Node::Eof => return Err(x.error("unexpected end of file inside <assemblies>")),
        }
    }
}

fn assembly<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, sink: &mut Sink<'_>) -> Result<(), ParseError> {
    let name = super::trx::file_stem(&x.attr_owned(b"name").unwrap_or_default());
    if let Some(total) = x.attr(b"total").and_then(|t| t.trim().parse::<i64>().ok()) {
        *sink.declared_total.get_or_insert(0) += total;
    }
    if empty {
        return Ok(());
    }
    loop {
        match x.next()? {
            Node::Open { empty } => match x.name() {
                // xUnit.net 1.x wrote <class> where 2.x writes <collection>.
                b"collection" | b"class" => collection(x, empty, &name, sink)?,
                b"errors" => errors(x, empty, &name, sink)?,
                _ => x.skip(empty)?,
            },
            Node::Close => return Ok(()),
            Node::Text => {}
            Node::Eof => return Err(x.error("unexpected end of file inside <assembly>")),
        }
    }
}

fn collection<R: Read>(
    x: &mut Xml<XmlInput<R>>,
    empty: bool,
    assembly: &str,
    sink: &mut Sink<'_>,
) -> Result<(), ParseError> {
    if empty {
        return Ok(());
    }
    loop {
        match x.next()? {
            Node::Open { empty } if x.name() == b"test" => {
                let case = test(x, empty, assembly)?;
                sink.case(case)?;
            }
            Node::Open { empty } => x.skip(empty)?,
            Node::Close => return Ok(()),
            Node::Text => {}
            Node::Eof => return Err(x.error("unexpected end of file inside <collection>")),
        }
    }
}

fn test<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, assembly: &str) -> Result<TestCase, ParseError> {
    let class = x.attr_owned(b"type").unwrap_or_default();
    let full = x.attr_owned(b"name").unwrap_or_default();
    let name = full.strip_prefix(&format!("{class}.")).map(str::to_owned).unwrap_or(full);
    let status = match x.attr(b"result").map(|r| r.trim().to_ascii_lowercase()).as_deref() {
        Some("pass") => TestStatus::Passed,
        Some("fail") => TestStatus::Failed,
        _ => TestStatus::Skipped,
    };
    let mut case = TestCase {
        suite: assembly.to_owned(),
        classname: class,
        name,
        status,
        duration_s: x.attr(b"time").and_then(parse_seconds),
        ..TestCase::default()
    };
    if !empty {
        loop {
            match x.next()? {
                Node::Open { empty } => match x.name() {
                    b"failure" => failure(x, empty, &mut case)?,
                    b"reason" => case.message = non_blank(x.text_of(empty)?),
                    b"output" => {
                        let t = x.text_of(empty)?;
                        join_text(&mut case.stdout, &t);
                    }
                    b"traits" => name_values(x, empty, b"trait", "traits", &mut case.properties)?,
                    _ => x.skip(empty)?,
                },
                Node::Close => break,
                Node::Text => {}
                Node::Eof => return Err(x.error("unexpected end of file inside <test>")),
            }
        }
    }
    Ok(case)
}

fn failure<R: Read>(x: &mut Xml<XmlInput<R>>, empty: bool, case: &mut TestCase) -> Result<(), ParseError> {
    if case.failure_type.is_none() {
        case.failure_type = x.attr_owned(b"exception-type");
    }
    message_and_stack(x, empty, "failure", case)
}

/// `<errors><error type="…" name="…"><failure>…</failure></error></errors>`
fn errors<R: Read>(
    x: &mut Xml<XmlInput<R>>,
    empty: bool,
    assembly: &str,
    sink: &mut Sink<'_>,
) -> Result<(), ParseError> {
    if empty {
        return Ok(());
    }
    loop {
        match x.next()? {
            Node::Open { empty } if x.name() == b"error" => {
                let kind = x.attr_owned(b"type").unwrap_or_else(|| "error".into());
                let name = x.attr_owned(b"name").unwrap_or_else(|| kind.clone());
                let mut case = TestCase {
                    suite: assembly.to_owned(),
                    classname: format!("({kind})"),
                    name,
                    status: TestStatus::Error,
                    ..TestCase::default()
                };
                if !empty {
                    loop {
                        match x.next()? {
                            Node::Open { empty } if x.name() == b"failure" => failure(x, empty, &mut case)?,
                            Node::Open { empty } => x.skip(empty)?,
                            Node::Close => break,
                            Node::Text => {}
                            Node::Eof => {
                                return Err(x.error("unexpected end of file inside <error>"));
                            }
                        }
                    }
                }
                sink.case(case)?;
            }
            Node::Open { empty } => x.skip(empty)?,
            Node::Close => return Ok(()),
            Node::Text => {}
            Node::Eof => return Err(x.error("unexpected end of file inside <errors>")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FormatChoice, ReportFormat, parse_bytes};

    #[test]
    fn tests_traits_and_assembly_errors() {
        let xml = r#"<assemblies><assembly name="C:\x\My.Tests.dll" total="3">
          <errors><error type="fixture-cleanup" name="My.Fixture"><failure exception-type="IOException"><message>disk</message></failure></error></errors>
          <collection name="c">
            <test name="My.Calc.Adds(a: 1)" type="My.Calc" method="Adds" result="Pass" time="0.1"><traits><trait name="Category" value="fast"/></traits></test>
            <test name="My.Calc.Fails" type="My.Calc" method="Fails" result="Fail"><failure exception-type="Xunit.Sdk.TrueException"><message>nope</message><stack-trace>at Fails</stack-trace></failure></test>
            <test name="My.Calc.Later" type="My.Calc" method="Later" result="Skip"><reason><![CDATA[not today]]></reason></test>
          </collection></assembly></assemblies>"#;
        let r = parse_bytes(xml.as_bytes(), FormatChoice::Auto).unwrap();
        assert_eq!(r.outcome.format, ReportFormat::Xunit);
        assert_eq!(r.cases.len(), 4);
        assert_eq!(r.cases[0].status, TestStatus::Error);
        assert_eq!(r.cases[1].name, "Adds(a: 1)");
        assert_eq!(r.cases[1].suite, "My.Tests");
        assert_eq!(r.cases[1].properties[0].name, "Category");
        assert_eq!(r.cases[2].failure_type.as_deref(), Some("Xunit.Sdk.TrueException"));
        assert_eq!(r.cases[3].message.as_deref(), Some("not today"));
        let c = r.outcome.counts;
        assert_eq!((c.total, c.passed, c.failed, c.errors, c.skipped), (4, 1, 1, 1, 1));
    }
}
