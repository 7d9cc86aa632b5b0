//! A one-time message carried by a short-lived cookie from a form post to
//! the page rendered after it, for browsers without JavaScript (which
//! cannot receive a server function's return value).
#![cfg(feature = "ssr")]

const NAME: &str = "assay_flash";

pub fn set(message: &str) -> String {
    format!("{NAME}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=120", crate::routes::encode(message))
}

pub fn clear() -> String {
    format!("{NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

pub fn read(headers: &http::HeaderMap) -> Option<String> {
    let raw = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == NAME)
        .map(|(_, v)| v.to_owned())?;
    let decoded = crate::routes::decode(&raw);
    (!decoded.is_empty()).then_some(decoded)
}
