//! Child blocks that several formats write the same way.

use super::xml::{Node, Xml, XmlInput};
use super::{ParseError, TestCase, join_text, non_blank};
use crate::model::Property;
use std::io::Read;

/// A list of `<item name="…" value="…"/>` (JUnit and NUnit `<property>`,
/// xUnit `<trait>`); a missing `value` attribute takes the element's text.
/// `list` names the enclosing element for errors.
pub(crate) fn name_values<R: Read>(
    x: &mut Xml<XmlInput<R>>,
    empty: bool,
    item: &[u8],
    list: &str,
    out: &mut Vec<Property>,
) -> Result<(), ParseError> {
    if empty {
        return Ok(());
    }
    loop {
        match x.next()? {
            Node::Open { empty } if x.name() == item => {
                let name = x.attr_owned(b"name").unwrap_or_default();
                let value = x.attr(b"value").map(str::to_owned);
                let body = x.text_of(empty)?;
                out.push(Property { name, value: value.unwrap_or(body) });
            }
            Node::Open { empty } => x.skip(empty)?,
            Node::Text => {}
            Node::Close => return Ok(()),
            Node::Eof => return Err(x.error(format!("unexpected end of file inside <{list}>"))),
        }
    }
}

/// NUnit and xUnit `<failure>`/`<reason>`: a `<message>` (the first one
/// counts) and maybe a `<stack-trace>` (all of them are kept).
pub(crate) fn message_and_stack<R: Read>(
    x: &mut Xml<XmlInput<R>>,
    empty: bool,
    block: &str,
    case: &mut TestCase,
) -> Result<(), ParseError> {
    if empty {
        return Ok(());
    }
    loop {
        match x.next()? {
            Node::Open { empty } => match x.name() {
                b"message" => {
                    let m = non_blank(x.text_of(empty)?);
                    if case.message.is_none() {
                        case.message = m;
                    }
                }
                b"stack-trace" => {
                    let t = x.text_of(empty)?;
                    join_text(&mut case.details, &t);
                }
                _ => x.skip(empty)?,
            },
            Node::Close => return Ok(()),
            Node::Text => {}
            Node::Eof => return Err(x.error(format!("unexpected end of file inside <{block}>"))),
        }
    }
}
