//! A one-time message carried by a short-lived cookie from a form post to
//! the page rendered after it, for browsers without JavaScript (which
//! cannot receive a server function's return value).
#![cfg(feature = "ssr")]

const NAME: &str = "assay_flash";

/// The cookie carrying `message` for two minutes. It may hold a new secret,
/// so it is Secure whenever the request came over HTTPS.
pub fn set(caller: &crate::backend::Caller, message: &str) -> String {
    let secure = crate::cookies::is_https(&caller.headers);
    crate::cookies::set(NAME, &crate::routes::encode(message), Some(120), secure)
}

pub fn clear(caller: &crate::backend::Caller) -> String {
    crate::cookies::set(NAME, "", Some(0), crate::cookies::is_https(&caller.headers))
}

pub fn read(headers: &http::HeaderMap) -> Option<String> {
    let decoded = crate::routes::decode(&crate::cookies::get(headers, NAME)?);
    (!decoded.is_empty()).then_some(decoded)
}
