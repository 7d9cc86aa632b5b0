//! Telling formats apart: by the root element for XML reports, and by the
//! first characters for the non-XML reports people upload by mistake.

use super::ReportFormat;

/// The format a root element announces, if any.
pub(crate) fn format_of_root(local_name: &[u8], has_attr: impl Fn(&[u8]) -> bool) -> Option<ReportFormat> {
    match local_name {
        b"testsuites" | b"testsuite" => Some(ReportFormat::Junit),
        b"TestRun" => Some(ReportFormat::Trx),
        b"test-run" | b"test-results" => Some(ReportFormat::Nunit),
        // A bare NUnit 2 <test-suite> fragment (e.g. from the Jenkins plugin).
        b"test-suite" if has_attr(b"type") || has_attr(b"executed") || has_attr(b"name") => Some(ReportFormat::Nunit),
        b"assemblies" | b"assembly" => Some(ReportFormat::Xunit),
        _ => None,
    }
}

/// A hint naming what a non-XML upload looks like, from its first text.
pub fn sniff_non_xml(start: &str) -> &'static str {
    let s = start.trim_start();
    if s.starts_with('{') || s.starts_with('[') {
        "this looks like a JSON report; Assay reads JUnit XML, TRX, NUnit and xUnit.net XML (convert it, e.g. with the tool's JUnit reporter)"
    } else if s.starts_with("TAP version") || s.starts_with("1..") || s.starts_with("ok ") || s.starts_with("not ok") {
        "this looks like TAP output; Assay reads JUnit XML, TRX, NUnit and xUnit.net XML (convert it, e.g. with tap-junit)"
    } else if s.starts_with("=== RUN") || s.starts_with("PASS") || s.starts_with("FAIL") || s.starts_with("ok  \t") {
        "this looks like `go test` console output; convert it with go-junit-report or gotestsum --junitfile"
    } else {
        "this is not an XML document (it must start with '<')"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_name_their_format() {
        let none = |_: &[u8]| false;
        assert_eq!(format_of_root(b"testsuites", none), Some(ReportFormat::Junit));
        assert_eq!(format_of_root(b"TestRun", none), Some(ReportFormat::Trx));
        assert_eq!(format_of_root(b"test-run", none), Some(ReportFormat::Nunit));
        assert_eq!(format_of_root(b"test-results", none), Some(ReportFormat::Nunit));
        assert_eq!(format_of_root(b"assemblies", none), Some(ReportFormat::Xunit));
        assert_eq!(format_of_root(b"suites", none), None);
        assert_eq!(format_of_root(b"test-suite", |a| a == b"executed"), Some(ReportFormat::Nunit));
    }

    #[test]
    fn non_xml_uploads_get_a_hint() {
        assert!(sniff_non_xml("  {\"results\":").contains("JSON"));
        assert!(sniff_non_xml("TAP version 13\n").contains("TAP"));
        assert!(sniff_non_xml("garbage").contains("not an XML document"));
    }
}
