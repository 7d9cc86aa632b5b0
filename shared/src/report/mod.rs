//! Test report parsers: JUnit XML (in its many dialects), .NET TRX,
//! NUnit 2 and 3, and xUnit.net v2.
//!
//! Every parser is pure and streaming: bytes come in through a reader, test
//! cases go out one at a time through a callback, and memory stays bounded
//! by the largest single test case, not by the file. The format is detected
//! from the root element unless the caller names it.
//!
//! Counting rules (what a user reading the producing tool's own summary
//! expects; see `docs/report-formats.md` for the reasoning):
//! - A test case counts once, with the worst of its outcomes: several
//!   `<failure>`/`<error>` children in one case are one failed test whose
//!   details hold every failure.
//! - Disabled tests (`status="disabled"`) count as skipped.
//! - Reruns count once: Surefire/nextest `flakyFailure`/`flakyError` mark a
//!   passed test as flaky, `rerunFailure`/`rerunError` add retries to a
//!   failed one, and a JUnit test case repeated in one file with at least
//!   one failed attempt and no skipped one is one test (see [`retries`]).
//! - Header attributes (`tests=`, `failures=`, TRX counters) never override
//!   the test cases; when they disagree the upload carries a warning.

mod blocks;
mod detect;
mod junit;
mod nunit;
pub mod retries;
pub mod synthetic;
mod trx;
mod xml;
mod xunit;

use crate::counts::Counts;
use crate::model::Property;
use crate::status::TestStatus;
use crate::test_key::test_key;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::Read;
use std::str::FromStr;

pub use detect::sniff_non_xml;

/// How deeply elements may nest in a report. Real reports nest a few
/// levels (suites of suites of cases, a dozen at most); past this a file is
/// refused with the line where it happens, so no input can make a parser,
/// or anything walking its output, use unbounded stack or memory.
pub const MAX_DEPTH: usize = 256;

/// The report formats Assay reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// JUnit XML: Ant/Jenkins, Surefire, pytest, jest, mocha, Go, nextest,
    /// PHPUnit, CTest, Catch2 and others.
    Junit,
    /// Visual Studio / `dotnet test` TRX.
    Trx,
    /// NUnit 2 and NUnit 3 result XML.
    Nunit,
    /// xUnit.net v2 XML.
    Xunit,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 4] = [Self::Junit, Self::Trx, Self::Nunit, Self::Xunit];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Junit => "junit",
            Self::Trx => "trx",
            Self::Nunit => "nunit",
            Self::Xunit => "xunit",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Junit => "JUnit XML",
            Self::Trx => "TRX",
            Self::Nunit => "NUnit XML",
            Self::Xunit => "xUnit.net XML",
        }
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `auto` or a format name, as given in `?format=` or `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormatChoice {
    #[default]
    Auto,
    Exactly(ReportFormat),
}

impl FromStr for FormatChoice {
    type Err = crate::status::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("auto") || s.is_empty() {
            return Ok(FormatChoice::Auto);
        }
        ReportFormat::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
            .map(FormatChoice::Exactly)
            .ok_or_else(|| crate::status::UnknownValue {
                kind: "report format",
                value: s.to_owned(),
                expected: "auto, junit, trx, nunit, xunit",
            })
    }
}

impl TryFrom<String> for ReportFormat {
    type Error = crate::status::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl FromStr for ReportFormat {
    type Err = crate::status::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<FormatChoice>()? {
            FormatChoice::Exactly(f) => Ok(f),
            FormatChoice::Auto => Err(crate::status::UnknownValue {
                kind: "report format",
                value: s.to_owned(),
                expected: "junit, trx, nunit, xunit",
            }),
        }
    }
}

/// One test case as a report describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestCase {
    /// Enclosing suites, outermost first, joined with
    /// [`crate::test_key::SUITE_SEPARATOR`].
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub status: TestStatus,
    pub duration_s: Option<f64>,
    pub message: Option<String>,
    pub failure_type: Option<String>,
    /// Stack trace or failure body.
    pub details: Option<String>,
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    pub properties: Vec<Property>,
    pub file: Option<String>,
    pub line: Option<i64>,
    /// Attempts beyond the first.
    pub retries: u32,
    /// Passed after one or more failed attempts.
    pub flaky: bool,
}

impl TestCase {
    /// The test's identity across runs (see [`test_key`]).
    pub fn key(&self) -> i64 {
        test_key(&self.suite, &self.classname, &self.name)
    }
}

/// Warnings collected while parsing: kept short, since one bad pattern can
/// repeat for every test case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Warnings {
    items: Vec<String>,
    dropped: usize,
}

const MAX_WARNINGS: usize = 20;

impl Warnings {
    pub fn push(&mut self, w: impl Into<String>) {
        if self.items.len() < MAX_WARNINGS {
            self.items.push(w.into());
        } else {
            self.dropped += 1;
        }
    }

    /// Adds the warning unless the same text is already there.
    pub fn push_once(&mut self, w: impl Into<String>) {
        let w = w.into();
        if !self.items.contains(&w) {
            self.push(w);
        }
    }

    pub fn len(&self) -> usize {
        self.items.len() + self.dropped
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn into_vec(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.items.push(format!("… and {} more warnings", self.dropped));
        }
        self.items
    }
}

/// A group of test cases in one file that are attempts of the same test.
/// The parser has already counted the group once; whoever stored the
/// attempts one by one merges them with [`retries::merge_attempts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryGroup {
    /// [`TestCase::key`] of every attempt.
    pub key: i64,
    pub attempts: u32,
}

/// What a parse found besides the test cases.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseOutcome {
    pub format: ReportFormat,
    /// Counts after retry groups are merged.
    pub counts: Counts,
    pub retry_groups: Vec<RetryGroup>,
    pub warnings: Vec<String>,
}

/// Why a report could not be read. `offset` is the byte offset in the
/// input; [`ParseError::locate`] turns it into a line and a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub offset: Option<u64>,
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// The input could not be read (not the report's fault).
    pub io: bool,
}

impl ParseError {
    pub fn new(message: impl Into<String>) -> Self {
        ParseError { message: message.into(), offset: None, line: None, column: None, io: false }
    }

    pub fn at(offset: u64, message: impl Into<String>) -> Self {
        ParseError { offset: Some(offset), ..ParseError::new(message) }
    }

    pub(crate) fn io(message: impl Into<String>) -> Self {
        ParseError { io: true, ..ParseError::new(message) }
    }

    /// Fills `line` and `column` (1-based; the column counts characters)
    /// from `offset`, reading the input again.
    pub fn locate<R: Read>(mut self, input: R) -> Self {
        if let Some(offset) = self.offset
            && let Ok((line, column)) = line_column(input, offset)
        {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ParseError {}

/// 1-based line and character column of a byte offset.
pub fn line_column<R: Read>(input: R, offset: u64) -> std::io::Result<(u64, u64)> {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::new(input.take(offset));
    let mut line = 1;
    let mut column = 1;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        for &b in buf {
            if b == b'\n' {
                line += 1;
                column = 1;
            } else if b & 0xC0 != 0x80 {
                // Count characters, not UTF-8 continuation bytes.
                column += 1;
            }
        }
        let n = buf.len();
        reader.consume(n);
    }
    Ok((line, column))
}

/// Returned by a case callback to stop parsing (e.g. its consumer is gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop;

/// Parses a report, handing each test case to `on_case` as soon as it is
/// complete. Retry groups are returned for the consumer to merge.
pub fn parse<R: Read>(
    input: R,
    format: FormatChoice,
    mut on_case: impl FnMut(TestCase) -> Result<(), Stop>,
) -> Result<ParseOutcome, ParseError> {
    let mut xml = xml::Xml::new(input);
    let Some(empty) = xml.root()? else {
        return Err(ParseError::at(0, "the file is empty or holds no XML element"));
    };
    let root = xml.name().to_vec();
    let detected = detect::format_of_root(&root, |a| xml.attr(a).is_some());
    let format = match (format, detected) {
        (FormatChoice::Exactly(f), _) => f,
        (FormatChoice::Auto, Some(f)) => f,
        (FormatChoice::Auto, None) => {
            return Err(xml.error(format!(
                "unrecognised report: root element <{}> is not JUnit (<testsuites>/<testsuite>), TRX (<TestRun>), NUnit (<test-run>/<test-results>) or xUnit.net (<assemblies>)",
                String::from_utf8_lossy(&root)
            )));
        }
    };
    let mut sink = Sink::new(&mut on_case);
    match format {
        ReportFormat::Junit => junit::parse(&mut xml, empty, &mut sink)?,
        ReportFormat::Trx => trx::parse(&mut xml, empty, &mut sink)?,
        ReportFormat::Nunit => nunit::parse(&mut xml, empty, &mut sink)?,
        ReportFormat::Xunit => xunit::parse(&mut xml, empty, &mut sink)?,
    }
    // Nothing but comments and whitespace may follow the root element.
    loop {
        match xml.next()? {
            xml::Node::Eof => break,
            xml::Node::Text if xml.text().trim().is_empty() => {}
            _ => return Err(xml.error("content after the end of the root element")),
        }
    }
    let mut warnings = sink.warnings;
    for w in std::mem::take(&mut xml.warnings).into_vec() {
        warnings.push(w);
    }
    let raw_total = sink.counts.total;
    let declared = sink.declared_total;
    let (counts, retry_groups) = sink.retries.finish(sink.counts);
    if let Some(declared) = declared
        && declared != counts.total
        && declared != raw_total
    {
        let held = if counts.total == raw_total {
            format!("{raw_total}")
        } else {
            format!("{raw_total} ({} once reruns are merged)", counts.total)
        };
        warnings.push(format!(
                "the report's header declares {declared} tests but the file holds {held} test cases; Assay counts the test cases"
            ));
    }
    Ok(ParseOutcome { format, counts, retry_groups, warnings: warnings.into_vec() })
}

/// A whole report in memory, retry groups merged.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub outcome: ParseOutcome,
    pub cases: Vec<TestCase>,
}

/// Parses a report held in memory; errors carry line and column.
pub fn parse_bytes(bytes: &[u8], format: FormatChoice) -> Result<Report, ParseError> {
    let mut cases = Vec::new();
    let outcome = parse(bytes, format, |c| {
        cases.push(c);
        Ok(())
    })
    .map_err(|e| e.locate(bytes))?;
    let cases = retries::apply_groups(cases, &outcome.retry_groups);
    Ok(Report { outcome, cases })
}

/// Where the format parsers put test cases: counts them, watches for
/// repeated ones, and passes them on.
pub(crate) struct Sink<'a> {
    on_case: &'a mut dyn FnMut(TestCase) -> Result<(), Stop>,
    pub counts: Counts,
    pub retries: retries::Tracker,
    pub warnings: Warnings,
    /// Repeated test cases are merged only for JUnit, where rerun tools
    /// write attempts as repeated cases; elsewhere they are data rows.
    pub merge_repeats: bool,
    /// The test count the report's header declares, if it has one.
    pub declared_total: Option<i64>,
}

impl<'a> Sink<'a> {
    fn new(on_case: &'a mut dyn FnMut(TestCase) -> Result<(), Stop>) -> Self {
        Sink {
            on_case,
            counts: Counts::default(),
            retries: retries::Tracker::default(),
            warnings: Warnings::default(),
            merge_repeats: false,
            declared_total: None,
        }
    }

    pub(crate) fn case(&mut self, mut case: TestCase) -> Result<(), ParseError> {
        for text in [&mut case.message, &mut case.details, &mut case.stdout, &mut case.stderr] {
            normalize_newlines(text);
        }
        self.counts.record(case.status, case.flaky, case.duration_s);
        if self.merge_repeats && !case.name.is_empty() {
            self.retries.see(case.key(), case.status, case.flaky);
        }
        (self.on_case)(case).map_err(|Stop| ParseError::io("the consumer of test results stopped"))
    }
}

/// Parses a decimal seconds value as producers write it: `1.5`, `1,5`,
/// `1,234.5`. Negative or non-finite values are not durations.
pub(crate) fn parse_seconds(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let value = if raw.contains(',') {
        if raw.contains('.') {
            raw.replace(',', "").parse::<f64>().ok()
        } else {
            raw.replace(',', ".").parse::<f64>().ok()
        }
    } else {
        raw.parse::<f64>().ok()
    }?;
    (value.is_finite() && value >= 0.0).then_some(value)
}

/// Joins non-empty pieces of text with a blank line.
pub(crate) fn join_text(into: &mut Option<String>, more: &str) {
    let more = more.trim_matches(['\n', '\r']);
    if more.trim().is_empty() {
        return;
    }
    match into {
        Some(existing) => {
            existing.push_str("\n\n");
            existing.push_str(more);
        }
        None => *into = Some(more.to_owned()),
    }
}

/// CRLF and lone CR (written by Windows tools, often as `&#xD;`) become LF.
fn normalize_newlines(text: &mut Option<String>) {
    if let Some(t) = text
        && t.contains('\r')
    {
        *t = t.replace("\r\n", "\n").replace('\r', "\n");
    }
}

/// `None` for blank text, else the text without surrounding blank lines.
pub(crate) fn non_blank(text: String) -> Option<String> {
    if text.trim().is_empty() {
        None
    } else {
        let t = text.trim_matches(['\n', '\r']);
        Some(if t.len() == text.len() { text } else { t.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_in_producer_spellings() {
        assert_eq!(parse_seconds("1.5"), Some(1.5));
        assert_eq!(parse_seconds(" 0,25 "), Some(0.25));
        assert_eq!(parse_seconds("1,234.5"), Some(1234.5));
        assert_eq!(parse_seconds("-1"), None);
        assert_eq!(parse_seconds("<<computed>>"), None);
        assert_eq!(parse_seconds("NaN"), None);
    }

    #[test]
    fn line_and_column_count_characters() {
        let text = "ab\ncdé\nfg";
        assert_eq!(line_column(text.as_bytes(), 0).unwrap(), (1, 1));
        assert_eq!(line_column(text.as_bytes(), 4).unwrap(), (2, 2));
        // after "cdé" (é is two bytes)
        assert_eq!(line_column(text.as_bytes(), 7).unwrap(), (2, 4));
    }

    #[test]
    fn format_choice_rejects_unknown_names() {
        assert_eq!("auto".parse::<FormatChoice>(), Ok(FormatChoice::Auto));
        assert_eq!("TRX".parse::<FormatChoice>(), Ok(FormatChoice::Exactly(ReportFormat::Trx)));
        let err = "tap".parse::<FormatChoice>().unwrap_err();
        assert!(err.to_string().contains("'tap'"));
    }
}

/// Nesting is bounded in every format, at the line where it goes too deep,
/// and the nesting that real reports use still parses.
#[cfg(test)]
mod depth {
    use super::*;

    fn nested(open: &str, close: &str, levels: usize, inner: &str, root: (&str, &str)) -> String {
        let mut s = String::from(root.0);
        for _ in 0..levels {
            s.push_str(open);
            s.push('\n');
        }
        s.push_str(inner);
        for _ in 0..levels {
            s.push_str(close);
        }
        s.push_str(root.1);
        s
    }

    fn refused_at_the_limit(xml: &str) {
        let err = parse_bytes(xml.as_bytes(), FormatChoice::Auto).unwrap_err();
        assert!(err.message.contains("nested more than 256 levels"), "{err}");
        // One line per level: the element past the limit is on line 257.
        assert_eq!(err.line, Some(MAX_DEPTH as u64 + 1), "{err}");
    }

    #[test]
    fn a_hundred_thousand_nested_junit_suites_are_refused_at_the_limit() {
        let xml = nested("<testsuite name=\"s\">", "</testsuite>", 100_000, "<testcase name=\"t\"/>", ("", ""));
        refused_at_the_limit(&xml);
    }

    #[test]
    fn deep_but_allowed_junit_nesting_parses_with_its_path() {
        let xml = nested("<testsuite name=\"s\">", "</testsuite>", MAX_DEPTH - 1, "<testcase name=\"t\"/>", ("", ""));
        let report = parse_bytes(xml.as_bytes(), FormatChoice::Auto).unwrap();
        assert_eq!(report.outcome.counts.total, 1);
        assert_eq!(report.cases[0].suite.matches("s").count(), MAX_DEPTH - 1);
    }

    #[test]
    fn nunit_trx_and_unknown_elements_are_bounded_too() {
        let nunit = nested(
            "<test-suite type=\"TestSuite\" name=\"s\">",
            "</test-suite>",
            100_000,
            "",
            ("<test-run>", "</test-run>"),
        );
        let err = parse_bytes(nunit.as_bytes(), FormatChoice::Auto).unwrap_err();
        assert!(err.message.contains("nested more than 256 levels"), "{err}");
        let trx = nested(
            "<UnitTestResult testId=\"1\" outcome=\"Passed\"><InnerResults>",
            "</InnerResults></UnitTestResult>",
            100_000,
            "",
            ("<TestRun><Results>", "</Results></TestRun>"),
        );
        let err = parse_bytes(trx.as_bytes(), FormatChoice::Auto).unwrap_err();
        assert!(err.message.contains("nested more than 256 levels"), "{err}");
        // Skipped content is walked by the same reader, and bounded alike.
        let junk = nested("<x>", "</x>", 100_000, "", ("<testsuites>\n", "</testsuites>"));
        refused_at_the_limit(&junk);
    }

    #[test]
    fn trx_inner_results_count_their_rows() {
        let trx = "<TestRun><Results>\
            <UnitTestResult testId=\"a\" testName=\"outer\" outcome=\"Failed\"><InnerResults>\
              <UnitTestResult testId=\"a\" testName=\"row 1\" outcome=\"Passed\"/>\
              <UnitTestResult testId=\"a\" testName=\"row 2\" outcome=\"Failed\"><InnerResults>\
                <UnitTestResult testId=\"a\" testName=\"row 2.1\" outcome=\"Failed\"/>\
              </InnerResults></UnitTestResult>\
            </InnerResults></UnitTestResult>\
            <UnitTestResult testId=\"b\" testName=\"plain\" outcome=\"Passed\"><Output><StdOut>hi</StdOut></Output></UnitTestResult>\
            </Results></TestRun>";
        let report = parse_bytes(trx.as_bytes(), FormatChoice::Auto).unwrap();
        let names: Vec<&str> = report.cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["row 1", "row 2.1", "plain"]);
        assert_eq!(report.cases[2].stdout.as_deref(), Some("hi"));
        assert_eq!((report.outcome.counts.total, report.outcome.counts.failed), (3, 1));
    }
}
