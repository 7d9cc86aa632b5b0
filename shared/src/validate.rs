//! Validation of names that users choose and that appear in URLs.

/// A project slug: 1–64 of `a-z 0-9 . _ -`, starting with a letter or digit.
pub fn slug(s: &str) -> Result<(), String> {
    let ok_first = s.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok_rest = s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if s.is_empty() || s.len() > 64 || !ok_first || !ok_rest {
        return Err(format!(
            "invalid project slug '{s}': use 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
        ));
    }
    Ok(())
}

/// A run name or job key: 1–255 characters, no control characters, not
/// blank. `field` names it in the error.
pub fn name(field: &str, s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if s.chars().count() > 255 {
        return Err(format!("{field} is longer than 255 characters"));
    }
    if s.chars().any(char::is_control) {
        return Err(format!("{field} must not contain control characters"));
    }
    Ok(())
}

/// Optional free text (revision, branch, author, url, platform…):
/// at most `max` characters.
pub fn optional(field: &str, s: Option<&str>, max: usize) -> Result<(), String> {
    match s {
        Some(v) if v.chars().count() > max => Err(format!("{field} is longer than {max} characters")),
        Some(v) if v.chars().any(|c| c.is_control()) => Err(format!("{field} must not contain control characters")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(slug("web-app_2.0").is_ok());
        assert!(slug("").is_err());
        assert!(slug("-x").is_err());
        assert!(slug("Upper").is_err());
        assert!(slug("has space").is_err());
        assert!(slug(&"a".repeat(65)).is_err());
    }

    #[test]
    fn names() {
        assert!(name("run name", "build #1234 (main)").is_ok());
        assert!(name("run name", "  ").unwrap_err().contains("run name"));
        assert!(name("job key", "a\nb").is_err());
        assert!(optional("branch", Some("main"), 255).is_ok());
        assert!(optional("branch", Some(&"b".repeat(300)), 255).is_err());
    }
}
