//! The session and anti-CSRF cookies: HttpOnly, SameSite=Lax, and Secure
//! whenever the request came over HTTPS (directly or through a proxy that
//! says so with `X-Forwarded-Proto`/`Forwarded`).

pub const SESSION: &str = "assay_session";
pub const CSRF: &str = "assay_csrf";

pub use app::cookies::{get, is_https, set};

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
    use axum::http::HeaderMap;

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
