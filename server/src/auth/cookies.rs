//! The session and anti-CSRF cookies: HttpOnly, SameSite=Lax, and Secure
//! whenever the request came over HTTPS (directly or through a proxy that
//! says so with `X-Forwarded-Proto`/`Forwarded`).

use axum::http::HeaderMap;

pub const SESSION: &str = "assay_session";
pub const CSRF: &str = "assay_csrf";

/// The value of a cookie sent with the request.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

pub fn is_https(headers: &HeaderMap) -> bool {
    let proto = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).unwrap_or("");
    let forwarded = headers.get("forwarded").and_then(|v| v.to_str().ok()).unwrap_or("");
    proto.eq_ignore_ascii_case("https") || forwarded.to_ascii_lowercase().contains("proto=https")
}

/// A `Set-Cookie` value; `max_age` `None` for a browser-session cookie,
/// `Some(0)` to delete.
pub fn set(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// A fresh random token for a cookie.
pub fn random_token() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..40).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_round_trip_with_the_right_attributes() {
        let mut h = HeaderMap::new();
        h.insert("cookie", "a=1; assay_session=xyz".parse().unwrap());
        assert_eq!(get(&h, SESSION).as_deref(), Some("xyz"));
        assert_eq!(get(&h, CSRF), None);
        let c = set(SESSION, "v", Some(60), true);
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure") && c.contains("Max-Age=60")
        );
        assert!(!set(SESSION, "v", None, false).contains("Secure"));
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        assert!(is_https(&h));
    }
}
