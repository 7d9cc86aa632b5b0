//! A small pull reader over quick-xml shared by the report parsers.
//!
//! It hides what no parser cares about (comments, processing instructions,
//! the XML declaration), applies our XML policy in one place, and keeps the
//! current element's name, attributes and text in reusable buffers so that
//! parsing a large report allocates only for the values a parser keeps.
//!
//! Policy:
//! - A UTF-8 byte order mark is skipped; UTF-16 input is refused by name.
//! - Characters that XML 1.0 forbids (NUL and other C0 controls) are
//!   well-formedness errors, as in any conforming parser.
//! - No entity other than the five predefined ones and character references
//!   is ever expanded. Entities declared in the DOCTYPE (internal or
//!   external: the XXE and "billion laughs" vectors) are kept literally as
//!   `&name;` with a warning; undeclared ones are well-formedness errors.

use super::{ParseError, Warnings};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};

/// What [`Xml::next`] found. The element's name and attributes, or the text,
/// are then available from the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Node {
    /// An element starts; `empty` for `<x/>`, which has no matching `Close`.
    Open {
        empty: bool,
    },
    Close,
    Text,
    Eof,
}

pub(crate) struct Xml<R: BufRead> {
    reader: quick_xml::Reader<R>,
    buf: Vec<u8>,
    name: Vec<u8>,
    attr_names: Vec<Vec<u8>>,
    attr_values: Vec<String>,
    attr_len: usize,
    text: String,
    /// Declared entity name → its literal `&name;` text.
    declared: HashMap<String, String>,
    open: Vec<u8>,
    open_ends: Vec<usize>,
    pub(crate) warnings: Warnings,
}

/// Reader adapter: skips a UTF-8 BOM, refuses UTF-16, and rejects the
/// control characters XML 1.0 forbids, naming their offset.
pub(crate) struct Checked<R> {
    inner: R,
    offset: u64,
    started: bool,
    bom: u64,
}

/// Marker payload of the I/O error [`Checked`] raises for a forbidden byte.
#[derive(Debug)]
pub(crate) struct ForbiddenChar {
    pub offset: u64,
    pub byte: u8,
}

impl std::fmt::Display for ForbiddenChar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "character U+{:04X} is not allowed in XML", self.byte)
    }
}
impl std::error::Error for ForbiddenChar {}

#[derive(Debug)]
pub(crate) struct Utf16;
impl std::fmt::Display for Utf16 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the file is UTF-16 encoded; re-encode it as UTF-8")
    }
}
impl std::error::Error for Utf16 {}

impl<R: Read> Checked<R> {
    pub(crate) fn new(inner: R) -> Self {
        Checked { inner, offset: 0, started: false, bom: 0 }
    }
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.started {
            self.started = true;
            let mut head = [0u8; 3];
            let mut got = 0;
            while got < 3 {
                let n = self.inner.read(&mut head[got..])?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            let head = &head[..got];
            if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
                return Err(io::Error::new(io::ErrorKind::InvalidData, Utf16));
            }
            let keep: &[u8] = if head == [0xEF, 0xBB, 0xBF] {
                self.bom = 3;
                &[]
            } else {
                head
            };
            if !keep.is_empty() {
                let n = keep.len().min(out.len());
                out[..n].copy_from_slice(&keep[..n]);
                // `out` is never shorter than 3 bytes in practice (BufReader
                // asks for its whole capacity); refuse to lose bytes if it is.
                if n < keep.len() {
                    return Err(io::Error::other("read buffer shorter than 3 bytes"));
                }
                self.check(&out[..n])?;
                return Ok(n);
            }
        }
        let n = self.inner.read(out)?;
        self.check(&out[..n])?;
        Ok(n)
    }
}

impl<R> Checked<R> {
    fn check(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some(i) = first_forbidden(bytes) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                ForbiddenChar { offset: self.offset + self.bom + i as u64, byte: bytes[i] },
            ));
        }
        self.offset += bytes.len() as u64;
        Ok(())
    }
}

/// Index of the first C0 control other than tab, LF and CR (the only ones
/// XML 1.0 allows). Scans a word at a time: this runs over every byte of
/// every upload.
fn first_forbidden(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let bad = |b: u8| b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r';
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        // Nonzero iff some byte of `w` is below 0x20.
        if w.wrapping_sub(ONES * 0x20) & !w & HIGHS != 0
            && let Some(i) = chunk.iter().position(|&b| bad(b))
        {
            return Some(base + i);
        }
        base += 8;
    }
    chunks.remainder().iter().position(|&b| bad(b)).map(|i| base + i)
}

pub(crate) type XmlInput<R> = BufReader<Checked<R>>;

pub(crate) fn input<R: Read>(read: R) -> XmlInput<R> {
    BufReader::with_capacity(256 * 1024, Checked::new(read))
}

impl<R: Read> Xml<XmlInput<R>> {
    pub(crate) fn new(read: R) -> Self {
        let mut reader = quick_xml::Reader::from_reader(input(read));
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        Xml {
            reader,
            buf: Vec::with_capacity(64 * 1024),
            name: Vec::new(),
            attr_names: Vec::new(),
            attr_values: Vec::new(),
            attr_len: 0,
            text: String::new(),
            declared: HashMap::new(),
            open: Vec::new(),
            open_ends: Vec::new(),
            warnings: Warnings::default(),
        }
    }

    fn bom(&self) -> u64 {
        self.reader.get_ref().get_ref().bom
    }

    /// Byte offset (in the original input) of what was read last.
    pub(crate) fn position(&self) -> u64 {
        self.reader.buffer_position() + self.bom()
    }

    /// An error about the element or text read last.
    pub(crate) fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::at(self.position(), message)
    }

    fn convert(&self, err: quick_xml::Error) -> ParseError {
        if let quick_xml::Error::Io(io) = &err {
            if let Some(inner) = io.get_ref() {
                if let Some(f) = inner.downcast_ref::<ForbiddenChar>() {
                    return ParseError::at(f.offset, f.to_string());
                }
                if inner.downcast_ref::<Utf16>().is_some() {
                    return ParseError::at(0, inner.to_string());
                }
            }
            return ParseError::io(io.to_string());
        }
        let offset = self.reader.error_position() + self.bom();
        ParseError::at(offset, describe_xml_error(&err))
    }

    /// Local name of the element just opened.
    pub(crate) fn name(&self) -> &[u8] {
        &self.name
    }

    /// The name of the element just opened.
    #[cfg(test)]
    pub(crate) fn name_str(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }

    /// Value of an attribute of the element just opened (by local name).
    pub(crate) fn attr(&self, name: &[u8]) -> Option<&str> {
        (0..self.attr_len).find(|&i| self.attr_names[i] == name).map(|i| self.attr_values[i].as_str())
    }

    /// Non-blank attribute value, trimmed, owned.
    pub(crate) fn attr_owned(&self, name: &[u8]) -> Option<String> {
        self.attr(name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    /// The text just read.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn next(&mut self) -> Result<Node, ParseError> {
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(e) => return Err(self.convert(e)),
            };
            match event {
                Event::Start(e) => {
                    let tag_len = e.len() as u64 + 2;
                    if self.open_ends.len() >= super::MAX_DEPTH {
                        let start = self.position().saturating_sub(tag_len);
                        return Err(ParseError::at(
                            start,
                            format!(
                                "elements are nested more than {} levels deep, past Assay's limit",
                                super::MAX_DEPTH
                            ),
                        ));
                    }
                    let res =
                        load_element(&e, &self.declared, &mut self.name, &mut self.attr_names, &mut self.attr_values);
                    self.attr_len = match res {
                        Ok(n) => n,
                        Err((msg, rel)) => {
                            let start = self.position().saturating_sub(tag_len);
                            return Err(ParseError::at(start + 1 + rel as u64, msg));
                        }
                    };
                    self.open.extend_from_slice(&self.name);
                    self.open_ends.push(self.open.len());
                    return Ok(Node::Open { empty: false });
                }
                Event::Empty(e) => {
                    let tag_len = e.len() as u64 + 3;
                    let res =
                        load_element(&e, &self.declared, &mut self.name, &mut self.attr_names, &mut self.attr_values);
                    self.attr_len = match res {
                        Ok(n) => n,
                        Err((msg, rel)) => {
                            let start = self.position().saturating_sub(tag_len);
                            return Err(ParseError::at(start + 1 + rel as u64, msg));
                        }
                    };
                    return Ok(Node::Open { empty: true });
                }
                Event::End(_) => {
                    self.open_ends.pop();
                    let start = self.open_ends.last().copied().unwrap_or(0);
                    self.open.truncate(start);
                    return Ok(Node::Close);
                }
                Event::Text(t) => {
                    self.text.clear();
                    self.text.push_str(&t.xml10_content());
                    return Ok(Node::Text);
                }
                Event::CData(c) => {
                    self.text.clear();
                    let content = c.xml10_content();
                    self.text.push_str(&content);
                    return Ok(Node::Text);
                }
                Event::GeneralRef(r) => {
                    self.text.clear();
                    match r.resolve_char_ref() {
                        Ok(Some(ch)) => self.text.push(ch),
                        Ok(None) => {
                            let name: &str = &r;
                            if let Some(v) = quick_xml::escape::resolve_predefined_entity(name) {
                                self.text.push_str(v);
                            } else if let Some(lit) = self.declared.get(name) {
                                self.text.push_str(lit);
                                let msg = format!(
                                    "entity &{name}; was left unexpanded (Assay never expands entities declared in a DOCTYPE)"
                                );
                                self.warnings.push_once(msg);
                            } else {
                                let msg = format!("undefined entity &{name};");
                                return Err(self.error(msg));
                            }
                        }
                        Err(e) => {
                            let msg = format!("invalid character reference &{}; ({e})", &*r);
                            return Err(self.error(msg));
                        }
                    }
                    return Ok(Node::Text);
                }
                Event::DocType(d) => {
                    for name in declared_entities(&d.xml10_content()) {
                        let lit = format!("&{name};");
                        self.declared.insert(name, lit);
                    }
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => {
                    if let Some(&end) = self.open_ends.last() {
                        let start = if self.open_ends.len() > 1 { self.open_ends[self.open_ends.len() - 2] } else { 0 };
                        let name = String::from_utf8_lossy(&self.open[start..end]).into_owned();
                        return Err(self.error(format!(
                            "unexpected end of file: element <{name}> is not closed (is the file truncated?)"
                        )));
                    }
                    return Ok(Node::Eof);
                }
            }
        }
    }

    /// Skips the rest of the element just opened (no-op for an empty one).
    pub(crate) fn skip(&mut self, empty: bool) -> Result<(), ParseError> {
        if empty {
            return Ok(());
        }
        let mut depth = 1usize;
        loop {
            match self.next()? {
                Node::Open { empty: false } => depth += 1,
                Node::Open { empty: true } | Node::Text => {}
                Node::Close => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Node::Eof => return Err(self.error("unexpected end of file")),
            }
        }
    }

    /// All text inside the element just opened, up to its end, including
    /// the text of nested elements.
    pub(crate) fn text_of(&mut self, empty: bool) -> Result<String, ParseError> {
        let mut out = String::new();
        if empty {
            return Ok(out);
        }
        let mut depth = 1usize;
        loop {
            match self.next()? {
                Node::Open { empty: false } => depth += 1,
                Node::Open { empty: true } => {}
                Node::Text => out.push_str(&self.text),
                Node::Close => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                }
                Node::Eof => return Err(self.error("unexpected end of file")),
            }
        }
    }

    /// Reads up to the first element, skipping the prolog. `None` for a
    /// document without one.
    pub(crate) fn root(&mut self) -> Result<Option<bool>, ParseError> {
        loop {
            match self.next()? {
                Node::Open { empty } => return Ok(Some(empty)),
                Node::Text if self.text.trim().is_empty() => {}
                Node::Text => {
                    return Err(ParseError::at(0, super::detect::sniff_non_xml(&self.text)));
                }
                Node::Close => return Err(self.error("closing tag before any element")),
                Node::Eof => return Ok(None),
            }
        }
    }
}

fn load_element(
    e: &BytesStart<'_>,
    declared: &HashMap<String, String>,
    name: &mut Vec<u8>,
    names: &mut Vec<Vec<u8>>,
    values: &mut Vec<String>,
) -> Result<usize, (String, usize)> {
    // Errors carry the byte offset, within the tag, of what is wrong.
    let at = |needle: &str| e.find(needle).unwrap_or(0);
    name.clear();
    name.extend_from_slice(e.local_name().as_ref().as_bytes());
    let mut n = 0;
    for attr in e.attributes() {
        let attr = attr.map_err(|err| (format!("malformed attribute: {err}"), 0))?;
        if attr.value.contains('<') {
            let key = attr.key.as_ref();
            let pos = at(key) + e[at(key)..].find('<').unwrap_or(0);
            return Err((format!("'<' is not allowed in the value of attribute {key} (escape it as &lt;)"), pos));
        }
        let value = attr
            .normalized_value_with(XmlVersion::Implicit1_0, 1, |ent| {
                quick_xml::escape::resolve_predefined_entity(ent).or_else(|| declared.get(ent).map(String::as_str))
            })
            .map_err(|err| {
                let key = attr.key.as_ref();
                (format!("bad value of attribute {key}: {}", describe_xml_error(&err)), at(key))
            })?;
        if names.len() == n {
            names.push(Vec::new());
            values.push(String::new());
        }
        names[n].clear();
        names[n].extend_from_slice(attr.key.local_name().as_ref().as_bytes());
        values[n].clear();
        values[n].push_str(&value);
        n += 1;
    }
    Ok(n)
}

/// Names of the general entities declared in a DOCTYPE's internal subset.
fn declared_entities(doctype: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = doctype;
    while let Some(i) = rest.find("<!ENTITY") {
        rest = &rest[i + "<!ENTITY".len()..];
        let mut words = rest.split_whitespace();
        let Some(mut first) = words.next() else { break };
        if first == "%" {
            // Parameter entity: not usable in content.
            continue;
        }
        first = first.trim_end_matches('>');
        if !first.is_empty() {
            out.push(first.to_owned());
        }
    }
    out
}

fn describe_xml_error(err: &quick_xml::Error) -> String {
    use quick_xml::errors::{IllFormedError, SyntaxError};
    match err {
        quick_xml::Error::Syntax(s) => match s {
            SyntaxError::UnclosedCData => "unclosed CDATA section".into(),
            SyntaxError::UnclosedComment => "unclosed comment".into(),
            SyntaxError::UnclosedTag => "unclosed tag (missing '>')".into(),
            other => format!("XML syntax error: {other}"),
        },
        quick_xml::Error::IllFormed(i) => match i {
            IllFormedError::MismatchedEndTag { expected, found } => {
                format!("closing tag </{found}> does not match the open element <{expected}>")
            }
            IllFormedError::UnmatchedEndTag(name) => {
                format!("closing tag </{name}> has no open element")
            }
            IllFormedError::MissingEndTag(name) => {
                format!("unexpected end of file: element <{name}> is not closed (is the file truncated?)")
            }
            other => format!("malformed XML: {other}"),
        },
        quick_xml::Error::Escape(e) => format!("bad escape sequence: {e}"),
        quick_xml::Error::InvalidAttr(e) => format!("malformed attribute: {e}"),
        other => format!("malformed XML: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(xml: &str) -> Result<Vec<String>, ParseError> {
        let mut x = Xml::new(xml.as_bytes());
        let mut out = Vec::new();
        loop {
            match x.next()? {
                Node::Open { empty } => out.push(format!("<{}{}", x.name_str(), if empty { "/" } else { "" })),
                Node::Close => out.push(">".into()),
                Node::Text => out.push(x.text().to_owned()),
                Node::Eof => return Ok(out),
            }
        }
    }

    #[test]
    fn entities_and_char_refs_are_resolved_but_declared_ones_are_not() {
        let doc =
            "<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><r a=\"&lt;&#65;\">x &amp; y &#x42; &xxe;</r>";
        let mut x = Xml::new(doc.as_bytes());
        assert_eq!(x.next().unwrap(), Node::Open { empty: false });
        assert_eq!(x.attr(b"a"), Some("<A"));
        assert_eq!(x.text_of(false).unwrap(), "x & y B &xxe;");
        assert_eq!(x.warnings.len(), 1);
    }

    #[test]
    fn undefined_entity_is_an_error_with_position() {
        let err = walk("<r>\n  &nbsp;</r>").unwrap_err();
        assert!(err.message.contains("undefined entity &nbsp;"), "{err}");
    }

    #[test]
    fn bom_is_skipped_and_nul_is_refused() {
        let with_bom = b"\xEF\xBB\xBF<r/>";
        let mut x = Xml::new(&with_bom[..]);
        assert_eq!(x.next().unwrap(), Node::Open { empty: true });
        let err = walk("<r>\u{0}</r>").unwrap_err();
        assert!(err.message.contains("U+0000"), "{err}");
        assert_eq!(err.offset, Some(3));
    }

    #[test]
    fn lt_in_an_attribute_is_an_error_at_its_column() {
        let doc = "<a>\n  <b x=\"1\" time=\"<<computed>>\"/>\n</a>";
        let err = crate::report::parse_bytes(
            doc.as_bytes(),
            crate::report::FormatChoice::Exactly(crate::report::ReportFormat::Junit),
        )
        .unwrap_err();
        assert_eq!((err.line, err.column), (Some(2), Some(18)), "{err}");
    }

    #[test]
    fn forbidden_bytes_are_found_in_any_position() {
        assert_eq!(first_forbidden(b"plain text\twith\r\nnewlines and more"), None);
        for len in 1..40 {
            for at in 0..len {
                let mut v = vec![b'a'; len];
                v[at] = 0x01;
                assert_eq!(first_forbidden(&v), Some(at));
                v[at] = b'\n';
                assert_eq!(first_forbidden(&v), None);
            }
        }
    }

    #[test]
    fn truncated_document_is_an_error() {
        let err = walk("<a><b>text").unwrap_err();
        assert!(err.message.contains("<b> is not closed"), "{err}");
    }

    #[test]
    fn utf16_is_refused_by_name() {
        let err = walk("\u{FEFF}<r/>").map(|_| ()).ok();
        assert!(err.is_some(), "UTF-8 BOM as a char is fine");
        let utf16 = [0xFFu8, 0xFE, b'<', 0];
        let mut x = Xml::new(&utf16[..]);
        let err = x.next().unwrap_err();
        assert!(err.message.contains("UTF-16"), "{err}");
    }
}
