//! A failed test's failure in a few lines: what was asserted and with
//! which values, without stack frames and runner noise. Computed once at
//! ingest from the report's failure message and body.
//!
//! The rules, tried in order (each documented on its function and tested
//! on text from the corpus reports):
//! 1. **Rust panics** (`cargo test`, nextest): the lines after
//!    `panicked at FILE:LINE:COL:` up to the backtrace — the assertion
//!    with its `left`/`right` operands — or the quoted message of the old
//!    `panicked at 'msg', FILE` form.
//! 2. **pytest**: the `E   ` lines of the failure body, the `E` dropped.
//! 3. **Python tracebacks** (unittest, xmlrunner): the exception line(s)
//!    after the last `File "…", line N` frame.
//! 4. **Everything else** (jest, mocha, JUnit/Hamcrest, TestNG, .NET,
//!    Go, PHPUnit…): the message when it says something (not a
//!    placeholder such as `Failed` or `Build error`), else the body; stack
//!    frames (`at …`, localised `en …`/`bei …`, Mono and Go frames) and
//!    runner noise (Selenium session info, MSTest's `Test method … threw
//!    exception:`, Hamcrest's embedded `Stacktrace was:`) dropped, the
//!    `Error: ` prefix of JavaScript stacks and the namespace of exception
//!    names (`java.lang.AssertionError` → `AssertionError`) cut.
//!
//! In every case: ANSI colour codes stripped, line endings normalised,
//! blank lines dropped, at most [`MAX_LINES`] lines of at most
//! [`MAX_LINE_CHARS`] characters.

/// Lines kept in a summary.
pub const MAX_LINES: usize = 6;
/// Characters kept of one line (longer ones end with `…`).
pub const MAX_LINE_CHARS: usize = 200;

/// Messages that say only that the test failed.
const PLACEHOLDERS: &[&str] =
    &["failed", "failure", "error", "fail", "build error", "runtime error", "timeout", "test failure", "test failed"];

/// The summary, or `None` when the report gave no failure text.
pub fn summarize(message: Option<&str>, details: Option<&str>) -> Option<String> {
    let message = message.map(clean).filter(|m| !m.trim().is_empty());
    let details = details.map(clean).filter(|d| !d.trim().is_empty());
    let both = match (&message, &details) {
        (Some(m), Some(d)) => format!("{m}\n{d}"),
        (Some(t), None) | (None, Some(t)) => t.clone(),
        (None, None) => return None,
    };
    let lines = details
        .as_deref()
        .and_then(rust_panic)
        .or_else(|| rust_panic(&both))
        .or_else(|| details.as_deref().and_then(pytest))
        .or_else(|| python_traceback(&both))
        .unwrap_or_else(|| {
            let useful = message.as_deref().filter(|m| !is_placeholder(m));
            let text = match (useful, details.as_deref()) {
                // A body that repeats the message and goes on (jest's
                // stack, Java's `Type: message` + frames) says more.
                (Some(m), Some(d))
                    if m.lines().find(|l| !l.trim().is_empty()).is_some_and(|l| d.contains(l.trim())) =>
                {
                    d
                }
                (Some(m), _) => m,
                (None, Some(d)) => d,
                (None, None) => message.as_deref().unwrap_or_default(),
            };
            let found = generic(text);
            if found.is_empty() { message.as_deref().map(generic).unwrap_or_default() } else { found }
        });
    finish(lines)
}

/// ANSI colour codes out, `\r\n` and lone `\r` to `\n`.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' if chars.peek() == Some(&'[') => {
                chars.next();
                while let Some(&n) = chars.peek() {
                    chars.next();
                    if n.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn is_placeholder(message: &str) -> bool {
    let m = message.trim().trim_end_matches(['.', '!']).to_ascii_lowercase();
    PLACEHOLDERS.contains(&m.as_str())
        || m.starts_with("test failure with exit code")
        || m.starts_with("exited with error code")
        || m == "one or more child tests had errors"
}

/// Rust: `thread 'name' (id) panicked at src/lib.rs:22:9:` then the
/// message lines, up to `stack backtrace:` or a `note:`; or the old
/// one-line `panicked at 'message', src/lib.rs:22:9`.
fn rust_panic(text: &str) -> Option<Vec<String>> {
    let mut lines = text.lines();
    let head = lines.by_ref().find(|l| l.contains("panicked at "))?;
    let after = &head[head.find("panicked at ")? + "panicked at ".len()..];
    if let Some(quoted) = after.strip_prefix('\'')
        && let Some(end) = quoted.rfind("', ")
    {
        return Some(vec![quoted[..end].to_owned()]);
    }
    let mut out = Vec::new();
    for line in lines {
        let t = line.trim();
        if t == "stack backtrace:" || t.starts_with("note: ") || line.contains("panicked at ") {
            break;
        }
        out.push(line.trim_end().to_owned());
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    if out.is_empty() {
        // `panicked at` with nothing after it: the location is all there is.
        return Some(vec![format!("panicked at {}", after.trim_end_matches(':'))]);
    }
    Some(dedent(out))
}

/// pytest: the `E   …` lines (pytest indents them to the code's column).
fn pytest(details: &str) -> Option<Vec<String>> {
    let e: Vec<String> = details
        .lines()
        .filter_map(|l| {
            let t = l.trim_start();
            let rest = t.strip_prefix('E')?;
            (rest.is_empty() || rest.starts_with(' ')).then(|| rest.strip_prefix(' ').unwrap_or(rest).to_owned())
        })
        .collect();
    (!e.is_empty() && e.iter().any(|l| !l.trim().is_empty())).then(|| dedent(e))
}

/// A Python traceback: the lines after the last frame's source line.
fn python_traceback(text: &str) -> Option<Vec<String>> {
    if !text.contains("Traceback (most recent call last):") {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let last_frame = lines.iter().rposition(|l| l.trim_start().starts_with("File \""))?;
    // The frame's source line follows it, indented deeper.
    let mut start = last_frame + 1;
    if lines.get(start).is_some_and(|l| indent(l) > indent(lines[last_frame])) {
        start += 1;
    }
    let out: Vec<String> = lines[start..]
        .iter()
        .take_while(|l| !l.trim_start().starts_with("Traceback (most recent call last):"))
        .map(|l| l.trim_end().to_owned())
        .collect();
    let out = dedent(out);
    out.iter().any(|l| !l.trim().is_empty()).then_some(out)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Whether a line is a stack frame of one of the common runtimes.
pub(crate) fn is_frame(line: &str) -> bool {
    let t = line.trim_start();
    let has_call = t.contains('(') || t.contains(':');
    (t.starts_with("at ") && has_call)
        || t == "at <anonymous>"
        || ((t.starts_with("en ") || t.starts_with("bei ") || t.starts_with("à "))
            && t.contains('(')
            && t.contains(')'))
        || t.starts_with("File \"")
        || t.starts_with("(wrapper ")
        || t.starts_with("--- End of ")
        || (t.starts_with("...") && t.ends_with(" more"))
        || (t.split_once(": ").is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            && line.starts_with(' '))
        || (t.starts_with('/') || t.starts_with("_testmain.go")) && t.contains(".go:")
        || t.starts_with("goroutine ") && t.ends_with(':')
}

/// Lines that are runner chatter, not the failure.
fn is_noise(line: &str) -> bool {
    let t = line.trim_start();
    [
        "(Session info:",
        "(Driver info:",
        "Command duration or timeout:",
        "For documentation on this error",
        "Build info:",
        "System info:",
        "Driver info:",
        "Capabilities [",
        "Traceback (most recent call last):",
        "stack backtrace:",
        "note: run with `RUST_BACKTRACE",
        "note: Some details are omitted",
    ]
    .iter()
    .any(|p| t.starts_with(p))
        || (t.starts_with("Test method ") && t.ends_with("threw exception:"))
}

/// The first text lines, frames and noise dropped.
fn generic(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let text = text.split("Stacktrace was:").next().unwrap_or(text);
    for line in text.lines() {
        if line.trim().is_empty() || is_noise(line) {
            continue;
        }
        if is_frame(line) {
            // Frames end the useful part once something was found; a
            // `Caused by:` after them is read again below.
            if !out.is_empty() {
                break;
            }
            continue;
        }
        out.push(line.trim_end().to_owned());
        if out.len() > MAX_LINES {
            break;
        }
    }
    let mut out = dedent(out);
    if let Some(first) = out.first_mut() {
        *first = short_exception(first.strip_prefix("Error: ").unwrap_or(first));
    }
    // `java.lang.AssertionError: ` with the message on the next lines
    // (Hamcrest): the bare type says nothing the lines after it don't.
    if out.len() > 1 && out[0].ends_with(':') && !out[0].trim_end_matches(':').contains(' ') {
        out.remove(0);
        out = dedent(out);
    }
    if let Some(cause) = text.lines().find(|l| l.trim_start().starts_with("Caused by: "))
        && out.len() < MAX_LINES
    {
        out.push(short_exception(cause.trim()));
    }
    out
}

/// `java.lang.AssertionError: x` → `AssertionError: x`; `System.X : y` →
/// `X: y`. Only a leading dotted name directly before a colon is cut.
fn short_exception(line: &str) -> String {
    let (name, rest) = match line.find(':') {
        Some(i) => (&line[..i], &line[i..]),
        None => (line, ""),
    };
    let trimmed = name.trim_end();
    let looks_like_type = trimmed.contains('.')
        && !trimmed.contains(' ')
        && trimmed.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$'))
        && trimmed.rsplit('.').next().is_some_and(|last| last.starts_with(|c: char| c.is_ascii_uppercase()));
    if !looks_like_type || rest.starts_with("::") {
        return line.to_owned();
    }
    let short = trimmed.rsplit('.').next().unwrap_or(trimmed);
    format!("{short}{rest}")
}

/// Removes the indentation the lines share (keeping what is relative, as
/// in Rust's `  left:` / ` right:` pair).
fn dedent(lines: Vec<String>) -> Vec<String> {
    let common = lines.iter().filter(|l| !l.trim().is_empty()).map(|l| indent(l)).min().unwrap_or(0);
    lines.into_iter().map(|l| if l.len() >= common { l[common..].to_owned() } else { l.trim().to_owned() }).collect()
}

fn finish(lines: Vec<String>) -> Option<String> {
    let kept: Vec<String> = lines
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .take(MAX_LINES)
        .map(|l| {
            let l = l.trim_end();
            if l.chars().count() > MAX_LINE_CHARS {
                let cut: String = l.chars().take(MAX_LINE_CHARS - 1).collect();
                format!("{cut}…")
            } else {
                l.to_owned()
            }
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(message: Option<&str>, details: Option<&str>) -> String {
        summarize(message, details).expect("a summary")
    }

    #[test]
    fn rust_panic_keeps_the_assertion_and_its_operands() {
        let details = "thread 'tests::adds' (20899) panicked at src/lib.rs:22:9:\n\
                       assertion `left == right` failed: sums differ\n  left: 3\n right: 4\n\
                       stack backtrace:\n   0: __rustc::rust_begin_unwind\n             at /rustc/abc/library/std/src/panicking.rs:689:5\n\
                       note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.";
        let message = "thread 'tests::adds' (20899) panicked at src/lib.rs:22:9";
        assert_eq!(
            s(Some(message), Some(details)),
            "assertion `left == right` failed: sums differ\n  left: 3\n right: 4"
        );
        assert_eq!(
            s(None, Some("thread 'main' panicked at 'boom went the test', src/main.rs:3:5\nnote: run with")),
            "boom went the test"
        );
    }

    #[test]
    fn jest_expectation_with_expected_and_received() {
        let body = "Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 3\nReceived: 2\n    at Object.<anonymous> (C:\\Users\\M\\__tests__\\main.test.js:10:21)\n    at new Promise (<anonymous>)";
        assert_eq!(
            s(None, Some(body)),
            "expect(received).toBe(expected) // Object.is equality\nExpected: 3\nReceived: 2"
        );
        let truthy =
            "Error: expect(received).toBeTruthy()\n\nReceived: false\n    at Object.<anonymous> (main.test.js:10:21)";
        assert_eq!(s(None, Some(truthy)), "expect(received).toBeTruthy()\nReceived: false");
    }

    #[test]
    fn pytest_e_lines() {
        let body = "def test_which_fails():\n        event = { 'attr': 'test'}\n>       assert event['attr'] == 'xyz'\nE       AssertionError: assert 'test' == 'xyz'\nE         - xyz\nE         + test\n\npython/test_sample.py:10: AssertionError";
        assert_eq!(
            s(Some("AssertionError: assert 'test' == 'xyz'\n  - xyz\n  + test"), Some(body)),
            "AssertionError: assert 'test' == 'xyz'\n  - xyz\n  + test"
        );
    }

    #[test]
    fn python_traceback_ends_in_the_exception() {
        let body = "Traceback (most recent call last):\n  File \"/u/tests/test_lib.py\", line 24, in test_always_fail\n    self.fail(\"failed\")\nAssertionError: failed\n";
        assert_eq!(s(Some("failed"), Some(body)), "AssertionError: failed");
    }

    #[test]
    fn java_hamcrest_and_testng() {
        let body = "java.lang.AssertionError: \n\nExpected: <100.10>\n     but: was <100.11>\n\tat a.CalcUtilsTest.test scale(CalcUtilsTest.kt:15)\n";
        assert_eq!(
            s(Some("\nExpected: <100.10>\n     but: was <100.11>"), Some(body)),
            "Expected: <100.10>\n     but: was <100.11>"
        );
        assert_eq!(
            s(
                None,
                Some(
                    "java.lang.AssertionError: expected [1.2.1] but found [1.2.0]\nat org.testng.Assert.fail(Assert.java:99)"
                )
            ),
            "AssertionError: expected [1.2.1] but found [1.2.0]"
        );
        let caused = "java.lang.AssertionError: unexpected exception type thrown\n\tat a.B.c(B.kt:27)\nCaused by: java.lang.IllegalArgumentException: Amount must have max 2 decimals\n\tat a.B.d(B.kt:31)";
        assert_eq!(
            s(None, Some(caused)),
            "AssertionError: unexpected exception type thrown\nCaused by: java.lang.IllegalArgumentException: Amount must have max 2 decimals"
        );
    }

    #[test]
    fn dotnet_message_wins_over_frames() {
        assert_eq!(
            s(
                Some("Assert.Equal() Failure\r\nExpected: 3\r\nActual:   2"),
                Some("   at X.Y.Failing_Test() in C:\\X\\CalculatorTests.cs:line 27")
            ),
            "Assert.Equal() Failure\nExpected: 3\nActual:   2"
        );
        assert_eq!(s(Some("  Expected: 3\n  But was:  2\n"), None), "Expected: 3\nBut was:  2");
        assert_eq!(
            s(
                Some("System.DivideByZeroException : Attempted to divide by zero."),
                Some("   en X.Div() en E:\\C.cs:línea 9")
            ),
            "DivideByZeroException: Attempted to divide by zero."
        );
        let mstest = "\n            Test method Pickles.AdditionFeature.Fail threw exception:\n            Should.Core.Exceptions.NotEqualException: Assert.NotEqual() Failure\n          ";
        assert_eq!(s(Some(mstest), None), "NotEqualException: Assert.NotEqual() Failure");
    }

    #[test]
    fn go_placeholder_message_reads_the_body() {
        assert_eq!(
            s(Some("Failed"), Some("    fail_test.go:6: Error message\n    fail_test.go:7: Longer\n        error")),
            "fail_test.go:6: Error message\nfail_test.go:7: Longer\n    error"
        );
        assert_eq!(s(Some("Failed"), None), "Failed");
    }

    #[test]
    fn selenium_noise_and_long_lines_are_cut() {
        let m = format!(
            "OpenQA.Selenium.WebDriverTimeoutException : Timed out after 30 seconds\n  (Session info: chrome=58)\nCommand duration or timeout: 0 milliseconds\n{}",
            "x".repeat(500)
        );
        let out = s(Some(&m), None);
        assert!(out.starts_with("WebDriverTimeoutException: Timed out after 30 seconds\n"), "{out}");
        assert!(!out.contains("Session info"));
        assert_eq!(out.lines().nth(1).unwrap().chars().count(), MAX_LINE_CHARS);
    }

    #[test]
    fn nothing_to_say() {
        assert_eq!(summarize(None, Some("  \n")), None);
        assert_eq!(summarize(Some("\u{1b}[31mred\u{1b}[0m"), None).as_deref(), Some("red"));
    }
}
