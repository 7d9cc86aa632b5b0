//! Synthetic JUnit reports of any size, for benchmarks and load tests.

use std::fmt::Write;

/// A JUnit report with `cases` test cases in suites of 100; every tenth
/// case fails with a multi-line message, a stack trace and stdout.
/// `seed` varies names so that repeated uploads are different files.
pub fn junit_report(cases: usize, seed: u64) -> String {
    let mut out = String::with_capacity(cases * 160 + 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"synthetic\">\n");
    let suites = cases.div_ceil(100);
    let mut n = 0;
    for s in 0..suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"pkg{seed}.module{s}\" tests=\"100\" timestamp=\"2026-01-01T00:00:00Z\">"
        );
        for _ in 0..100 {
            if n == cases {
                break;
            }
            let class = format!("pkg{seed}.module{s}.Class{}", n % 7);
            if n % 10 == 3 {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{class}\" name=\"test_case_{n}\" time=\"0.{:03}\">\n      \
<failure message=\"assertion failed: expected 42, got {n}&#10;left: 42&#10;right: {n}\" type=\"AssertionError\">Traceback (most recent call last):\n  \
File \"tests/test_module{s}.py\", line {}, in test_case_{n}\n    assert compute() == 42\n  \
File \"src/compute.py\", line 17, in compute\n    return helper(x)\nAssertionError: expected 42, got {n}</failure>\n      \
<system-out>setting up fixture {n}\nconnecting to db\nrunning query 1\nrunning query 2\ntearing down</system-out>\n    </testcase>\n",
                    n % 1000,
                    n % 300 + 1
                );
            } else {
                let _ = writeln!(
                    out,
                    "    <testcase classname=\"{class}\" name=\"test_case_{n}\" time=\"0.{:03}\"/>",
                    n % 1000
                );
            }
            n += 1;
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FormatChoice, parse_bytes};

    #[test]
    fn synthetic_reports_parse_to_their_size() {
        let r = parse_bytes(junit_report(1234, 1).as_bytes(), FormatChoice::Auto).unwrap();
        let c = r.outcome.counts;
        assert_eq!((c.total, c.failed), (1234, 124));
        let failed = r.cases.iter().find(|c| c.status == crate::TestStatus::Failed).unwrap();
        assert!(failed.message.as_deref().unwrap().contains("\nleft: 42"));
        assert!(failed.stdout.as_deref().unwrap().lines().count() == 5);
    }
}
