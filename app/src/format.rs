//! Formatting of durations, times and revisions, identical on server and
//! client so hydration never disagrees with the server's HTML.

use chrono::{DateTime, Utc};

/// `0.35 s`, `12.4 s`, `3 min 05 s`, `1 h 02 min`.
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "—".into();
    }
    if seconds < 0.001 {
        return "< 1 ms".into();
    }
    if seconds < 1.0 {
        return format!("{:.0} ms", seconds * 1000.0);
    }
    if seconds < 60.0 {
        return format!("{seconds:.2} s");
    }
    let total = seconds.round() as u64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 { format!("{h} h {m:02} min") } else { format!("{m} min {s:02} s") }
}

pub fn opt_duration(seconds: Option<f64>) -> String {
    seconds.map(duration).unwrap_or_else(|| "—".into())
}

/// `2026-11-22 03:14 UTC`: absolute, so server and browser agree.
pub fn time(t: &DateTime<Utc>) -> String {
    // By hand rather than with `format("%Y-…")`: chrono's format-string
    // machinery would be WASM every page that shows a time loads.
    use chrono::{Datelike, Timelike};
    format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), t.month(), t.day(), t.hour(), t.minute())
}

/// The first 10 characters of a commit hash; other revisions as they are.
pub fn revision(r: &str) -> String {
    if r.len() > 12 && r.chars().all(|c| c.is_ascii_hexdigit()) { r[..10].to_owned() } else { r.to_owned() }
}

/// `512 B`, `3.4 KiB`, `12.0 MiB`, `1.5 GiB`.
pub fn bytes(n: i64) -> String {
    const KIB: f64 = 1024.0;
    let b = n as f64;
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", b / (KIB * KIB * KIB)),
        n if n >= 1 << 20 => format!("{:.1} MiB", b / (KIB * KIB)),
        n if n >= 1 << 10 => format!("{:.1} KiB", b / KIB),
        n => format!("{n} B"),
    }
}

/// The first line of a message, cut to `max` characters.
pub fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    if line.chars().count() > max {
        let cut: String = line.chars().take(max).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(0.0004), "< 1 ms");
        assert_eq!(duration(0.35), "350 ms");
        assert_eq!(duration(12.4), "12.40 s");
        assert_eq!(duration(185.0), "3 min 05 s");
        assert_eq!(duration(3720.0), "1 h 02 min");
    }

    #[test]
    fn times() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-03-04T05:06:07Z").unwrap().with_timezone(&Utc);
        assert_eq!(time(&t), "2026-03-04 05:06 UTC");
    }

    #[test]
    fn sizes() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(3 * 1024 + 400), "3.4 KiB");
        assert_eq!(bytes(12 << 20), "12.0 MiB");
        assert_eq!(bytes(3 << 29), "1.5 GiB");
    }

    #[test]
    fn revisions_and_lines() {
        assert_eq!(revision("0123456789abcdef0123"), "0123456789");
        assert_eq!(revision("v1.2"), "v1.2");
        assert_eq!(first_line("\n  boom here\nmore", 4), "boom…");
    }
}

/// A measured value with four significant digits, without exponent for
/// everyday magnitudes (`1.928`, `0.1075`, `3.376e9`).
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v == 0.0 {
        return "0".into();
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-4..9).contains(&mag) {
        return format!("{v:.3e}");
    }
    let decimals = (3 - mag).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s }
}

/// A value and its unit.
pub fn value_unit(v: f64, unit: &str) -> String {
    if unit.is_empty() { number(v) } else { format!("{} {unit}", number(v)) }
}

/// A signed change in %, `+20.1%`.
pub fn change(pct: f64) -> String {
    format!("{}{:.1}%", if pct > 0.0 { "+" } else { "" }, pct)
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn numbers_keep_four_digits() {
        assert_eq!(number(1927.075186804505), "1927");
        assert_eq!(number(0.10753446442370372), "0.1075");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(3_376_238_873.1), "3.376e9");
        assert_eq!(number(0.0), "0");
        assert_eq!(change(20.04), "+20.0%");
        assert_eq!(change(-3.0), "-3.0%");
    }
}
