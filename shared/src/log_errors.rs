//! Error lines of a CI log, by Treeherder's rules (its log parser's
//! `ErrorParser`), so that a job's `text_log_summary` and its bug
//! suggestions come out as Treeherder's users know them.
//!
//! A line is an error when, in this order:
//! 1. it does not contain `TEST-INFO ` or `TEST-PASS ` (nor the notice that a
//!    content process crashed with `MOZ_CRASHREPORTER_SHUTDOWN` set);
//! 2. it starts with a mozharness `HH:MM:SS ERROR|CRITICAL|FATAL - ` prefix:
//!    an error whatever follows; otherwise
//! 3. with a mozharness `HH:MM:SS DEBUG|INFO|WARNING - ` prefix taken off and
//!    trailing space trimmed, it is none of the known non-errors
//!    (`TEST-UNEXPECTED-` from a device's Gecko or TestRunner log, a bare
//!    `Assertion failure` at its end, `TEST-UNEXPECTED-WARNING`,
//!    `TimeoutException: `, `ImportError: No module named pygtk`,
//!    `non-fatal error`), and it
//! 4. contains one of [`SEARCH_TERMS`], or starts like a make, Python/Java
//!    exception, gtest, hg, rm or taskcluster error, or holds a compiler's
//!    `file:line: error:`, MSVC's `error C1234:`, an HTTP `ERROR 4xx/5xx:`
//!    or mozmake's `***`.
//!
//! Once a line starting `[taskcluster ` is seen, taskcluster's
//! `[worker 2016-…] ` prefix is taken off every later line first. Lines are
//! numbered from 0; each error is kept trimmed and cut to [`MAX_LINE_CHARS`]
//! characters; an error equal to the one before is kept once; at most
//! [`MAX_ERRORS`] are kept.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// Errors kept per log (Treeherder's `MAX_ERROR_LINES`).
pub const MAX_ERRORS: usize = 40;
/// Characters kept of a line.
pub const MAX_LINE_CHARS: usize = 500;

/// Substrings that make a line an error.
pub const SEARCH_TERMS: &[&str] = &[
    "TEST-UNEXPECTED-",
    "fatal error",
    "FATAL ERROR",
    "Hit MOZ_CRASH",
    "REFTEST ERROR",
    "PROCESS-CRASH",
    "Assertion fail",
    "###!!! ABORT:",
    "SUMMARY: AddressSanitizer",
    "SUMMARY: ThreadSanitizer",
    "SUMMARY: UndefinedBehaviorSanitizer",
    "ThreadSanitizer: nested bug",
    "Automation Error:",
    "command timed out:",
    "wget: unable ",
    "bash.exe: *** ",
    "Unsuccessful task run with exit code: 137",
    "YOU ARE LEAKING THE WORLD",
];

fn re(s: &str) -> Regex {
    Regex::new(s).expect("a valid built-in pattern")
}

static START: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"^(?:g?make(?:\[\d+\])?: \*\*\*",
        r"|[A-Za-z.]+Error: ",
        r"|[A-Za-z.]*Exception: ",
        r"|\[  FAILED  \] ",
        r"|remoteFailed:",
        r"|rm: cannot ",
        r"|abort:",
        r"|\[taskcluster\] Error:",
        r"|\[[\w._-]+:(?:error|exception)\])"
    ))
});
static ANYWHERE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r" error\(\d*\):",
        r"|:\d+: error:",
        r"| error R?C\d*:",
        r"|ERROR [45]\d\d:",
        r"|mozmake\.(?:exe|EXE)(?:\[\d+\])?: \*\*\*"
    ))
});
static EXCLUDE_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    re(r"TEST-(?:INFO|PASS) |A content process crashed and MOZ_CRASHREPORTER_SHUTDOWN is set, shutting down")
});
static EXCLUDE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"I[ /](Gecko|TestRunner).*TEST-UNEXPECTED-",
        r"|Assertion failure$",
        r"|^TEST-UNEXPECTED-WARNING\b",
        r"|^TimeoutException: ",
        r"|^ImportError: No module named pygtk$",
        r"|non-fatal error"
    ))
});
static MOZHARNESS_ERROR: LazyLock<Regex> = LazyLock::new(|| re(r"^\d+:\d+:\d+ +(?:ERROR|CRITICAL|FATAL) - "));
static MOZHARNESS_ERROR_PREFIX: LazyLock<Regex> = LazyLock::new(|| re(r"^\d+:\d+:\d+ +(?:ERROR|CRITICAL|FATAL) - +"));
static MOZHARNESS_PREFIX: LazyLock<Regex> = LazyLock::new(|| re(r"^\d+:\d+:\d+ +(?:DEBUG|INFO|WARNING) - +"));
/// `[worker 2016-09-07T19:03:02.188327Z] `, but not `[taskcluster:…]`
/// (checked apart: the regex crate has no look-ahead).
static TASKCLUSTER_PREFIX: LazyLock<Regex> = LazyLock::new(|| re(r"^\[[^\]]*20\d{2}-[^\]]+\]\s"));

/// Whether a line (a taskcluster prefix already taken off) is an error.
pub fn is_error_line(line: &str) -> bool {
    if EXCLUDE_FIRST.is_match(line) {
        return false;
    }
    if MOZHARNESS_ERROR.is_match(line) {
        return true;
    }
    let trimmed = MOZHARNESS_PREFIX.replace(line, "");
    let trimmed = trimmed.trim_end();
    if EXCLUDE_AFTER.is_match(trimmed) {
        return false;
    }
    SEARCH_TERMS.iter().any(|t| trimmed.contains(t)) || START.is_match(trimmed) || ANYWHERE.is_match(trimmed)
}

/// One error line of a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorLine {
    /// The line's number, from 0.
    pub linenumber: u64,
    pub line: String,
}

/// Reads a log line by line (feed it [`ErrorLines::line`], then take
/// [`ErrorLines::errors`]).
#[derive(Debug, Default)]
pub struct ErrorLines {
    errors: Vec<ErrorLine>,
    /// Errors past [`MAX_ERRORS`], counted but not kept.
    dropped: u64,
    steps: Vec<Step>,
    taskcluster: bool,
    next: u64,
}

/// A step of a log: mozharness's `##### Running NAME step.` to
/// `##### Finished NAME step (RESULT)`, or a taskcluster task's
/// `=== Task Starting ===` to `=== Task Finished ===`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    pub started_linenumber: u64,
    /// `None` while it has not finished (the log ended in it).
    pub finished_linenumber: Option<u64>,
    /// `success`, `failed`… as the log says; `unknown` when it does not.
    pub result: String,
    pub error_count: u64,
}

fn step_start(line: &str) -> Option<String> {
    if line.contains("=== Task Starting ===") {
        return Some("task".into());
    }
    let rest = &line[line.find("##### Running ")? + "##### Running ".len()..];
    Some(rest.trim_end().strip_suffix(" step.")?.to_owned())
}

fn step_end(line: &str) -> Option<(Option<String>, String)> {
    if line.contains("=== Task Finished ===") {
        return Some((Some("task".into()), "unknown".into()));
    }
    let rest = &line[line.find("##### Finished ")? + "##### Finished ".len()..];
    let (name, result) = rest.trim_end().split_once(" step (")?;
    Some((Some(name.to_owned()), result.strip_suffix(')').unwrap_or(result).to_owned()))
}

impl ErrorLines {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next line of the log (without its line ending).
    pub fn line(&mut self, raw: &str) {
        let n = self.next;
        self.next += 1;
        if raw.contains("#####") || raw.contains("=== Task ") {
            self.step_line(raw, n);
        }
        if raw.starts_with("[taskcluster ") {
            self.taskcluster = true;
        }
        let mut line = raw;
        if self.taskcluster
            && !line.starts_with("[taskcluster:")
            && let Some(m) = TASKCLUSTER_PREFIX.find(line)
        {
            line = &line[m.end()..];
        }
        if !is_error_line(line) {
            return;
        }
        for step in self.steps.iter_mut().filter(|s| s.finished_linenumber.is_none()) {
            step.error_count += 1;
        }
        if self.errors.len() >= MAX_ERRORS {
            self.dropped += 1;
            return;
        }
        let kept: String = line.trim_end().chars().take(MAX_LINE_CHARS).collect();
        if self.errors.last().is_some_and(|e| e.line == kept) {
            return;
        }
        self.errors.push(ErrorLine { linenumber: n, line: kept });
    }

    /// Every line of `text` (split at `\n`, `\r\n` or `\r`).
    pub fn text(&mut self, text: &str) {
        let mut rest = text;
        while !rest.is_empty() {
            let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
            self.line(&rest[..end]);
            rest = &rest[end..];
            if rest.starts_with("\r\n") {
                rest = &rest[2..];
            } else if !rest.is_empty() {
                rest = &rest[1..];
            }
        }
    }

    fn step_line(&mut self, raw: &str, n: u64) {
        if let Some(name) = step_start(raw) {
            self.steps.push(Step {
                name,
                started_linenumber: n,
                finished_linenumber: None,
                result: "unknown".into(),
                error_count: 0,
            });
        } else if let Some((name, result)) = step_end(raw)
            && let Some(step) = self
                .steps
                .iter_mut()
                .rev()
                .find(|s| s.finished_linenumber.is_none() && name.as_ref().is_none_or(|n| *n == s.name))
        {
            step.finished_linenumber = Some(n);
            step.result = result;
        }
    }

    /// Lines read so far.
    pub fn lines_read(&self) -> u64 {
        self.next
    }

    pub fn errors(self) -> Vec<ErrorLine> {
        self.errors
    }

    /// The `text_log_summary` of the log read, found at `logurl`.
    pub fn summary(self, logurl: &str) -> TextLogSummary {
        TextLogSummary {
            logurl: logurl.to_owned(),
            errors_truncated: self.dropped > 0,
            errors: self.errors,
            steps: self.steps,
        }
    }
}

/// Treeherder's search term for an error line (its `get_error_search_term`):
/// the test's file name of a `TEST-UNEXPECTED-… | test | message` line
/// (or the message, for a test name that says nothing), a crash's
/// signature of `PROCESS-CRASH | … [@ signature]`, else the line itself
/// without its mozharness prefix; at most 100 characters. `None` for a line
/// too vague to search for.
pub fn search_term(line: &str) -> Option<String> {
    const VAGUE: &[&str] = &[
        "automation.py",
        "remoteautomation.py",
        "Shutdown",
        "undefined",
        "Main app process exited normally",
        "Traceback (most recent call last):",
        "Return code: 0",
        "Return code: 1",
        "Return code: 2",
        "Return code: 9",
        "Return code: 10",
        "mozalloc_abort(char const*)",
        "mozalloc_abort",
        "CrashingThread(void *)",
        "gtest",
        "Last test finished",
        "leakcheck",
        "LeakSanitizer",
        "# TBPL FAILURE #",
    ];
    let line = MOZHARNESS_PREFIX.replace(line, "");
    let line = MOZHARNESS_ERROR_PREFIX.replace(&line, "");
    let line = line.trim();
    let parts: Vec<&str> = line.split(" | ").map(str::trim).collect();
    let term = if let Some(sig) = line.find("[@ ").and_then(|at| {
        let rest = &line[at + 3..];
        rest.find(']').map(|end| rest[..end].trim())
    }) && line.contains("PROCESS-CRASH")
    {
        sig.to_owned()
    } else if parts.len() >= 3 && (parts[0].contains("TEST-UNEXPECTED-") || parts[0].ends_with("ERROR")) {
        let test = parts[1];
        let test = test.split(" == ").next().unwrap_or(test).split(" != ").next().unwrap_or(test);
        let file = test.rsplit(['/', '\\']).next().unwrap_or(test).trim();
        if VAGUE.contains(&test.trim()) || file.is_empty() { parts[2].to_owned() } else { file.to_owned() }
    } else {
        line.to_owned()
    };
    let term: String = term.chars().take(100).collect();
    let term = term.trim();
    (term.len() >= 4 && !VAGUE.contains(&term)).then(|| term.to_owned())
}

/// A `text_log_summary` artifact, as Treeherder makes and reads it (with
/// the log's steps, as its older parser gave them, where it has any).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextLogSummary {
    pub logurl: String,
    pub errors: Vec<ErrorLine>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub errors_truncated: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
}

/// A parsed (or failed, or waiting) log of a job, as its job page shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobLog {
    pub name: String,
    /// `pending`, `running`, `parsed`, `failed`, or `submitted` for a
    /// `text_log_summary` posted with the job.
    pub state: String,
    /// Why it failed (a refused or failed fetch, an unreadable log).
    pub error: Option<String>,
    /// The log: in Assay's log viewer when Assay keeps it, else its URL.
    pub href: Option<String>,
    /// Whether `href` is Assay's log viewer (its lines can be linked to).
    pub viewer: bool,
    /// Its error lines: line number from 0, the line, bug suggestions
    /// (text, link).
    // A plain tuple, not a named alias, so that the OpenAPI schema spells
    // it out.
    #[allow(clippy::type_complexity)]
    pub errors: Vec<(u64, String, Vec<(String, Option<String>)>)>,
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The job page's "Log errors" section (text escaped; links are http(s) or
/// Assay's own): one string, made the same by the server and the browser.
pub fn logs_html(logs: &[JobLog]) -> String {
    let mut h = String::from("<h2>Log errors</h2>");
    for log in logs {
        h.push_str("<section class=\"job-log\"><h3>");
        match &log.href {
            Some(href) => {
                h.push_str("<a rel=\"nofollow noopener\" href=\"");
                push_escaped(&mut h, href);
                h.push_str("\">");
                push_escaped(&mut h, &log.name);
                h.push_str("</a>");
            }
            None => push_escaped(&mut h, &log.name),
        }
        h.push_str(" <span class=\"muted small log-state\">");
        push_escaped(&mut h, &log.state);
        h.push_str("</span></h3>");
        if let Some(e) = &log.error {
            h.push_str("<p class=\"error log-error-reason\">");
            push_escaped(&mut h, e);
            h.push_str("</p>");
        }
        if matches!(log.state.as_str(), "parsed" | "submitted") && log.errors.is_empty() {
            h.push_str("<p class=\"muted\">No error lines.</p>");
        }
        if !log.errors.is_empty() {
            h.push_str("<ol class=\"log-errors\">");
            for (n, line, suggestions) in &log.errors {
                h.push_str("<li><a class=\"ln\" href=\"");
                match (&log.href, log.viewer) {
                    (Some(href), true) => {
                        let shown = n + 1;
                        push_escaped(&mut h, &format!("{href}?line={shown}#L{shown}"));
                    }
                    (Some(href), false) => push_escaped(&mut h, href),
                    (None, _) => h.push('#'),
                }
                h.push_str("\">");
                h.push_str(&(n + 1).to_string());
                h.push_str("</a> <code class=\"log-error-line\">");
                push_escaped(&mut h, line);
                h.push_str("</code>");
                if !suggestions.is_empty() {
                    h.push_str("<ul class=\"bug-suggestions\">");
                    for (text, url) in suggestions {
                        h.push_str("<li>");
                        match url {
                            Some(u) => {
                                h.push_str("<a rel=\"nofollow noopener\" href=\"");
                                push_escaped(&mut h, u);
                                h.push_str("\">");
                                push_escaped(&mut h, text);
                                h.push_str("</a>");
                            }
                            None => push_escaped(&mut h, text),
                        }
                        h.push_str("</li>");
                    }
                    h.push_str("</ul>");
                }
                h.push_str("</li>");
            }
            h.push_str("</ol>");
        }
        h.push_str("</section>");
    }
    h
}

/// The error lines of a whole log.
pub fn error_lines(text: &str) -> Vec<ErrorLine> {
    let mut p = ErrorLines::new();
    p.text(text);
    p.errors()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Treeherder's own error cases (tests/log_parser/test_error_parser.py).
    const ERRORS: &[&str] = &[
        "23:52:39 INFO - 346 INFO TEST-UNEXPECTED-FAIL | dom/base/test/test_XHRDocURI.html | foo",
        "c:/Users/task_1584487163/dist/Release/lib\\softokn3.dll.lib : fatal error LNK1120: 2 unresolved externals",
        "20:10:13     INFO - PID 15468 | FATAL ERROR: AsyncShutdown timeout in xpcom-will-shutdown",
        "15:28:28     INFO - GECKO(3166) | Hit MOZ_CRASH(Shutdown hanging after all known phases and workers finished.) at /builds/worker/checkouts/gecko/toolkit/components/terminator/nsTerminator.cpp:246",
        "00:54:55 WARNING - PROCESS-CRASH | Shutdown | application crashed [@ PR_GetThreadPrivate]",
        "GECKO(6227) | Assertion failure: parent, at /builds/worker/checkouts/gecko/docshell/base/BrowsingContext.cpp:1365",
        "23:57:52 ERROR - Return code: 1",
        "23:57:52 CRITICAL - Preparing to abort run due to failed verify check.",
        "23:57:52 FATAL - Dying due to failing verification",
        "remoteFailed: [Failure instance: Traceback (failure with no frames): Foo.",
        "08:13:37 INFO - make: *** [test-integration-test] Error 1",
        r"pymake\..\..\mozmake.exe: *** [buildsymbols] Error 11",
        r"pymake\..\..\mozmake.EXE: *** [buildsymbols] Error 11",
        "00:55:13 INFO - SUMMARY: AddressSanitizer: 64 byte(s) leaked in 1 allocation(s).",
        "INFO - GECKO(2552) | SUMMARY: ThreadSanitizer: data race /builds/worker/checkouts/gecko/js/src/gc/Cell.h:572:21 in lengthField",
        "04:48:03     INFO -  [webrender 0.61.0] SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior glsl-optimizer/src/compiler/glsl/glcpp/pp.c:198:28 in",
        "19:34:37     INFO - GECKO(2516) | ThreadSanitizer: nested bug in the same thread, aborting.",
        "Automation Error: Foo bar",
        "22:16:31     INFO -  command timed out: fake -f param",
        "22:16:31     INFO -  wget: unable to resolve host address `queue.taskcluster.net'",
        "20:57:49    ERROR -  make[3]: *** [widget/gtk/target-objects] Error 2",
        "subprocess.CalledProcessError: Command '['/usr/bin/python3', 'doc', '--outdir', 'docs-out', '--no-open', '--no-serve', '--archive']' returned non-zero exit status 2.",
        "InvalidArgumentException: Unknown pointerType: [object String]",
        "abort: reached maximum number of network attempts; giving up",
        "rm: cannot remove `debian/git/usr/share/doc/git/contrib': Is a directory",
        "[taskcluster] Error: Task run time exceeded 7200 seconds.",
        "2014-04-04 06:37:57 ERROR 403: Forbidden.",
        "[taskcluster:error] Could not upload artifact",
        "[taskcluster-image-build:error] Dockerfile must be present in /home/worker/nss/automation.",
        "[test_linux.sh:error] could not download zip file",
        "14:15:32     INFO -  REFTEST ERROR | file:///Z:/task_1491573689/build/tests/reftest/tests/layout/reftests/w3c-css/submitted/text3/text-justify-inter-character-001.html | application timed out after 330 seconds with no output",
        "[  FAILED  ] AllHashFuncs/TlsHkdfTest.HkdfNullNull/1, where GetParam() = 5",
        "[task 2019-01-07T09:43:24.098Z] C:\\mozilla-build\\msys\\bin\\bash.exe: *** Couldn't reserve space for cygwin's heap, Win32 error 0",
        "12:54:44     INFO -  ChunkedEncodingError: (\"Connection broken: error(54, 'Connection reset by peer')\", error(54, 'Connection reset by peer'))",
        "2020-03-18 20:40:52 UTC 39:27.50 /builds/worker/checkouts/gecko/widget/gtk/nsWindow.cpp:3536:30: error: too few arguments to function 'const gchar* gtk_check_version(guint, guint, guint)'",
        "src/gl.cc(2249): error C2065: 'BLEND_1': undeclared identifier",
        "20:28:29     INFO - WARNING: YOU ARE LEAKING THE WORLD (at least one JSRuntime and everything alive inside it, that is) AT JS_ShutDown TIME.  FIX THIS!",
    ];

    /// And its non-error cases.
    const NOT_ERRORS: &[&str] = &[
        "TEST-PASS | foo | bar",
        "TEST-UNEXPECTED-WARNING | /builds/worker/checkouts/gecko/browser/components/migration/IEProfileMigrator.sys.mjs:377:12 | OS.File is deprecated. You should use IOUtils instead. (mozilla/reject-osfile)",
        "07:42:02     INFO -  Exception:",
        "07:51:08     INFO -  Caught Exception: Remote Device Error: unable to connect to panda-0501 after 5 attempts",
        "06:21:18     INFO -  I/GeckoDump(  730): 110 INFO TEST-UNEXPECTED-FAIL | foo | bar",
        "[taskcluster:info] Starting task",
        "[taskcluster] Starting task",
        "01:22:41     INFO -  ImportError: No module named pygtk",
        "01:22:41     INFO -  ImportError: No module named pygtk\r\n",
        "2023-02-28 22:06:01+0000: non-fatal error removing directory: icons/, rv: 0, err: 39",
        "PROCESS(1234) | Assertion failure",
    ];

    #[test]
    fn treeherders_error_lines_are_errors() {
        for line in ERRORS {
            assert!(is_error_line(line), "an error: {line}");
            let mut p = ErrorLines::new();
            p.line(line);
            assert_eq!(p.errors().len(), 1, "{line}");
            // Also in a taskcluster log.
            let mut p = ErrorLines::new();
            p.line("[taskcluster foo] this is a taskcluster log");
            p.line(line);
            let e = p.errors();
            assert_eq!(e.len(), 1, "{line}");
            assert_eq!(e[0].linenumber, 1);
        }
    }

    #[test]
    fn and_its_other_lines_are_not() {
        for line in NOT_ERRORS {
            assert!(!is_error_line(line), "not an error: {line:?}");
        }
    }

    #[test]
    fn taskcluster_prefixes_are_taken_off_once_the_log_is_known_to_be_one() {
        let vcs = "[vcs 2016-09-07T19:03:02.188327Z] 23:57:52 ERROR - Return code: 1";
        let mut p = ErrorLines::new();
        p.line(vcs);
        p.line("[taskcluster 2016-09-07 19:02:55.114Z] Task ID: PWden6jYS4SfVKYj4p7y6w");
        p.line(vcs);
        assert_eq!(p.errors(), vec![ErrorLine { linenumber: 2, line: "23:57:52 ERROR - Return code: 1".into() }]);
    }

    #[test]
    fn lines_are_numbered_from_zero_kept_once_cut_and_capped() {
        let long = format!("TEST-UNEXPECTED-FAIL | {}", "x".repeat(900));
        let mut log = String::from("ok\r\nabort: one\r\nabort: one\nfine\rabort: two  \n");
        log.push_str(&long);
        log.push('\n');
        let e = error_lines(&log);
        assert_eq!(e[0], ErrorLine { linenumber: 1, line: "abort: one".into() });
        assert_eq!(e[1], ErrorLine { linenumber: 4, line: "abort: two".into() });
        assert_eq!(e[2].linenumber, 5);
        assert_eq!(e[2].line.chars().count(), MAX_LINE_CHARS);
        assert_eq!(e.len(), 3);
        let many: String = (0..100).map(|i| format!("abort: {i}\n")).collect();
        assert_eq!(error_lines(&many).len(), MAX_ERRORS);
    }

    #[test]
    fn search_terms_as_treeherder_makes_them() {
        let t = |l: &str| search_term(l);
        assert_eq!(
            t("05:35:49     INFO -  2018 INFO TEST-UNEXPECTED-FAIL | dom/indexedDB/test/test_transaction_lifetimes.html | Should be able - expected PASS")
                .as_deref(),
            Some("test_transaction_lifetimes.html")
        );
        assert_eq!(
            t("REFTEST TEST-UNEXPECTED-FAIL | file:///a/b/c.html == file:///a/b/c-ref.html | image comparison")
                .as_deref(),
            Some("c.html")
        );
        assert_eq!(
            t("TEST-UNEXPECTED-FAIL | automation.py | application timed out after 330 seconds").as_deref(),
            Some("application timed out after 330 seconds")
        );
        assert_eq!(
            t("00:54:55 WARNING - PROCESS-CRASH | Shutdown | application crashed [@ PR_GetThreadPrivate]").as_deref(),
            Some("PR_GetThreadPrivate")
        );
        assert_eq!(t("23:57:52 ERROR - Return code: 1"), None);
        assert_eq!(t("make: *** [all] Error 2").as_deref(), Some("make: *** [all] Error 2"));
        assert_eq!(t(&format!("abort: {}", "y".repeat(300))).map(|s| s.chars().count()), Some(100));
    }

    #[test]
    fn steps_with_their_errors() {
        let log = "\
[taskcluster 2016-09-07 19:02:55.114Z] === Task Starting ===
05:00:00     INFO - #####
05:00:00     INFO - ##### Running clobber step.
05:00:00     INFO - #####
05:00:01     INFO - ##### Finished clobber step (success)
05:00:02     INFO - ##### Running run-tests step.
05:00:03     INFO - TEST-UNEXPECTED-FAIL | a.html | boom
05:00:04     INFO - ##### Finished run-tests step (failed)
[taskcluster 2016-09-07 19:05:55.114Z] === Task Finished ===
";
        let mut p = ErrorLines::new();
        p.text(log);
        let s = p.summary("https://ci.example/log");
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].linenumber, 6);
        let names: Vec<(&str, u64, Option<u64>, &str, u64)> = s
            .steps
            .iter()
            .map(|s| (s.name.as_str(), s.started_linenumber, s.finished_linenumber, s.result.as_str(), s.error_count))
            .collect();
        assert_eq!(
            names,
            vec![
                ("task", 0, Some(8), "unknown", 1),
                ("clobber", 2, Some(4), "success", 0),
                ("run-tests", 5, Some(7), "failed", 1)
            ]
        );
        assert!(!s.errors_truncated);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["errors"][0]["linenumber"], 6);
        assert!(json.get("errors_truncated").is_none());
    }

    #[test]
    fn the_job_page_section_escapes_and_links_lines() {
        let logs = vec![JobLog {
            name: "live_backing.log".into(),
            state: "parsed".into(),
            error: None,
            href: Some("/p/r/1/j/2/artifacts/3".into()),
            viewer: true,
            errors: vec![(
                41,
                "TEST-UNEXPECTED-FAIL | <a> | x".into(),
                vec![("Bug 1 & co".into(), Some("https://bugs.example/1".into()))],
            )],
        }];
        let h = logs_html(&logs);
        assert!(h.contains("href=\"/p/r/1/j/2/artifacts/3?line=42#L42\">42</a>"), "{h}");
        assert!(h.contains("| &lt;a&gt; |"), "{h}");
        assert!(h.contains("<a rel=\"nofollow noopener\" href=\"https://bugs.example/1\">Bug 1 &amp; co</a>"), "{h}");
    }

    #[test]
    fn the_corpus_summary_lines_are_errors() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/corpus/treeherder/artifacts__text_log_summary.json"
        ))
        .expect("the corpus's text_log_summary");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let errors = v["blob"]["errors"].as_array().expect("errors");
        assert!(!errors.is_empty());
        for e in errors {
            assert!(is_error_line(e["line"].as_str().unwrap()), "{e}");
        }
    }
}
