//! Failure signatures: what makes two failures "the same failure", so that
//! a project's failures can be grouped into clusters across tests, jobs
//! and runs.
//!
//! A signature is built from the failure's type (when the report names
//! one), the first two lines of its summary (see [`super::summary`]: the
//! assertion, runner noise and frames already dropped) and its top
//! [`FRAMES`] stack frames, each line masked so that what varies between
//! occurrences of one failure does not split it:
//!
//! | what | becomes |
//! |---|---|
//! | timestamps (`2026-12-03T10:04:05.123Z`, `2026-12-03 10:04:05`) | `<time>` |
//! | UUIDs | `<uuid>` |
//! | hex ids (`0x7ffd…`, and runs of 8+ hex digits with a digit and a letter) | `<hex>` |
//! | temporary paths (`/tmp/…`, `/var/folders/…`, `…\AppData\Local\Temp\…`) | `<tmp>` |
//! | quoted values (`'…'`, `"…"`) | `'<q>'`, `"<q>"` |
//! | numbers not part of a name (`42`, `-1.5`, line numbers) | `<n>` |
//!
//! Backtick quotes are kept (Rust's ``assertion `left == right` failed``
//! names the assertion, not a value), as are digits inside names
//! (`test_3`, `utf8`). Whitespace runs become one space. The signature's
//! key is the 64-bit xxh3 of its text.

use super::summary::{is_frame, summarize};

/// Stack frames kept in a signature.
pub const FRAMES: usize = 3;
/// Summary lines kept in a signature.
pub const SUMMARY_LINES: usize = 2;

/// A failure's signature: its masked text and that text's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub key: i64,
    pub text: String,
}

/// The signature of a failure, or `None` when the report says nothing
/// about it (no type, message or body).
pub fn signature(failure_type: Option<&str>, message: Option<&str>, details: Option<&str>) -> Option<Signature> {
    signature_with(failure_type, summarize(message, details).as_deref(), details)
}

/// The same from the failure's summary (see [`summarize`]) when the caller
/// has made it already.
pub fn signature_with(failure_type: Option<&str>, summary: Option<&str>, details: Option<&str>) -> Option<Signature> {
    let mut lines: Vec<String> = Vec::new();
    if let Some(t) = failure_type.map(str::trim).filter(|t| !t.is_empty()) {
        lines.push(mask(t));
    }
    if let Some(s) = summary {
        lines.extend(s.lines().take(SUMMARY_LINES).map(mask));
    }
    if let Some(d) = details {
        lines.extend(d.lines().filter(|l| is_frame(l)).take(FRAMES).map(mask));
    }
    lines.retain(|l| !l.is_empty());
    if lines.is_empty() {
        return None;
    }
    let text = lines.join("\n");
    let key = xxhash_rust::xxh3::xxh3_64(text.as_bytes()) as i64;
    Some(Signature { key, text })
}

/// One line with what varies masked (see the module's table).
pub fn mask(line: &str) -> String {
    let chars: Vec<char> = line.trim().chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let in_name = prev.is_some_and(|p| p.is_alphanumeric() || p == '_');
        if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            out.push(' ');
            continue;
        }
        if (c == '\'' || c == '"')
            && !in_name
            && let Some(end) = chars[i + 1..].iter().position(|&q| q == c)
        {
            out.push(c);
            out.push_str("<q>");
            out.push(c);
            i += end + 2;
            continue;
        }
        if !in_name {
            if let Some(n) = timestamp(&chars[i..]) {
                out.push_str("<time>");
                i += n;
                continue;
            }
            if let Some(n) = uuid(&chars[i..]) {
                out.push_str("<uuid>");
                i += n;
                continue;
            }
            if let Some(n) = hex(&chars[i..]) {
                out.push_str("<hex>");
                i += n;
                continue;
            }
        }
        if let Some(n) = temp_path(&chars[i..], prev) {
            out.push_str("<tmp>");
            i += n;
            continue;
        }
        if !in_name && (c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))) {
            let mut j = i + 1;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || (chars[j] == '.' && chars.get(j + 1).is_some_and(char::is_ascii_digit)))
            {
                j += 1;
            }
            // A number glued to letters is a name (`3rd`, `64bit`): kept.
            if chars.get(j).is_some_and(|n| n.is_alphabetic() || *n == '_') {
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                out.extend(&chars[i..j]);
            } else {
                out.push_str("<n>");
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out.trim().to_owned()
}

fn digits(s: &[char], n: usize) -> bool {
    s.len() >= n && s[..n].iter().all(char::is_ascii_digit)
}

/// `YYYY-MM-DD` followed by `T` or a space and `HH:MM`, with optional
/// seconds, fraction and zone.
fn timestamp(s: &[char]) -> Option<usize> {
    if !(digits(s, 4) && s.get(4) == Some(&'-') && digits(&s[5..], 2) && s.get(7) == Some(&'-') && digits(&s[8..], 2)) {
        return None;
    }
    let mut i = 10;
    if matches!(s.get(i), Some('T' | ' ')) && digits(s.get(i + 1..)?, 2) && s.get(i + 3) == Some(&':') {
        i += 4;
        if !digits(s.get(i..)?, 2) {
            return Some(10);
        }
        i += 2;
        if s.get(i) == Some(&':') && digits(s.get(i + 1..).unwrap_or(&[]), 2) {
            i += 3;
        }
        if matches!(s.get(i), Some('.' | ',')) && s.get(i + 1).is_some_and(char::is_ascii_digit) {
            i += 1;
            while s.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
        }
        if s.get(i) == Some(&'Z') {
            i += 1;
        } else if matches!(s.get(i), Some('+' | '-')) && digits(s.get(i + 1..).unwrap_or(&[]), 2) {
            i += 3;
            if s.get(i) == Some(&':') {
                i += 1;
            }
            if digits(s.get(i..).unwrap_or(&[]), 2) {
                i += 2;
            }
        }
    }
    Some(i)
}

fn uuid(s: &[char]) -> Option<usize> {
    let groups = [8, 4, 4, 4, 12];
    let mut i = 0;
    for (g, len) in groups.iter().enumerate() {
        if s.len() < i + len || !s[i..i + len].iter().all(char::is_ascii_hexdigit) {
            return None;
        }
        i += len;
        if g < 4 {
            if s.get(i) != Some(&'-') {
                return None;
            }
            i += 1;
        }
    }
    (!s.get(i).is_some_and(|c| c.is_alphanumeric())).then_some(i)
}

/// `0x…`, or a run of 8+ hex digits holding both a digit and a letter.
fn hex(s: &[char]) -> Option<usize> {
    if s.len() > 2 && s[0] == '0' && matches!(s[1], 'x' | 'X') && s[2].is_ascii_hexdigit() {
        let n = 2 + s[2..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
        return Some(n);
    }
    let n = s.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    let run = &s[..n];
    let glued = s.get(n).is_some_and(|c| c.is_alphanumeric() || *c == '_');
    (n >= 8 && !glued && run.iter().any(char::is_ascii_digit) && run.iter().any(|c| c.is_ascii_alphabetic()))
        .then_some(n)
}

/// A temporary path, up to the next space, quote or bracket.
fn temp_path(s: &[char], prev: Option<char>) -> Option<usize> {
    if prev.is_some_and(|p| !(p.is_whitespace() || matches!(p, '(' | '[' | '\'' | '"' | '=' | ':'))) {
        return None;
    }
    let head: String = s.iter().take(40).collect();
    let lower = head.to_ascii_lowercase();
    let unix = ["/tmp/", "/var/tmp/", "/var/folders/", "/private/var/folders/", "/private/tmp/"];
    let windows =
        lower.len() > 3 && lower.as_bytes()[1] == b':' && lower[2..].starts_with('\\') && lower.contains("\\temp\\");
    if !(unix.iter().any(|p| lower.starts_with(p)) || windows) {
        return None;
    }
    Some(s.iter().take_while(|c| !(c.is_whitespace() || matches!(c, '\'' | '"' | ')' | ']' | ','))).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_what_varies() {
        assert_eq!(mask("expected 42 but was -1.5"), "expected <n> but was <n>");
        assert_eq!(mask("at Foo.bar (src/foo.js:12:7)"), "at Foo.bar (src/foo.js:<n>:<n>)");
        assert_eq!(mask("test_3 failed on utf8 and 64bit"), "test_3 failed on utf8 and 64bit");
        assert_eq!(mask("at 2026-12-03T10:04:05.123Z and 2026-12-03 10:04"), "at <time> and <time>");
        assert_eq!(mask("id 123e4567-e89b-12d3-a456-426614174000 gone"), "id <uuid> gone");
        assert_eq!(mask("object at 0x7ffd5e8c and deadbeef12"), "object at <hex> and <hex>");
        assert_eq!(mask("wrote /tmp/pytest-of-ci/pytest-12/x.txt ok"), "wrote <tmp> ok");
        assert_eq!(mask(r"C:\Users\ci\AppData\Local\Temp\abc\f.txt missing"), "<tmp> missing");
        assert_eq!(mask("AssertionError: 'foo' != \"bar\""), "AssertionError: '<q>' != \"<q>\"");
        assert_eq!(mask("assertion `left == right` failed"), "assertion `left == right` failed");
        assert_eq!(mask("don't   split\t it"), "don't split it");
        // Words that merely look like hex are kept.
        assert_eq!(mask("cafebabe deadbeef"), "cafebabe deadbeef");
    }

    #[test]
    fn one_failure_with_other_values_has_one_signature() {
        let a = signature(
            Some("AssertionError"),
            Some("expected 3 but was 2"),
            Some("AssertionError: expected 3 but was 2\n\tat com.acme.CalcTest.adds(CalcTest.java:17)\n\tat java.base/jdk.internal.reflect.Method.invoke(Method.java:568)"),
        )
        .unwrap();
        let b = signature(
            Some("AssertionError"),
            Some("expected 10 but was 7"),
            Some("AssertionError: expected 10 but was 7\n\tat com.acme.CalcTest.adds(CalcTest.java:19)\n\tat java.base/jdk.internal.reflect.Method.invoke(Method.java:568)"),
        )
        .unwrap();
        assert_eq!(a, b);
        assert!(a.text.contains("at com.acme.CalcTest.adds(CalcTest.java:<n>)"), "{}", a.text);
        // Another assertion, or the same one elsewhere, is another failure.
        let c = signature(Some("AssertionError"), Some("expected null"), None).unwrap();
        assert_ne!(a.key, c.key);
        let d = signature(
            Some("AssertionError"),
            Some("expected 3 but was 2"),
            Some("AssertionError: expected 3 but was 2\n\tat com.acme.OtherTest.adds(OtherTest.java:17)"),
        )
        .unwrap();
        assert_ne!(a.key, d.key);
        assert_eq!(signature(None, Some("  "), None), None);
    }
}
