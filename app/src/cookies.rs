//! Reading and writing cookies on the server: HttpOnly, SameSite=Lax, and
//! Secure whenever the request came over HTTPS (directly or through a proxy
//! that says so with `X-Forwarded-Proto`/`Forwarded`).
#![cfg(feature = "ssr")]

use http::HeaderMap;

/// The value of a cookie sent with the request.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
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
