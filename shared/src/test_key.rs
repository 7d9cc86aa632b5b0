//! A test's identity across runs: suite path, class name and test name.

use xxhash_rust::xxh3::xxh3_64;

/// Separator between the levels of a nested suite path, as stored and shown.
pub const SUITE_SEPARATOR: &str = " › ";

/// Stable 64-bit key of a test's identity, stored with every result so that
/// the history of one test across runs is a single index lookup.
///
/// The hash (xxh3) is fixed by the stored data: changing it would split
/// every test's history in two.
pub fn test_key(suite: &str, classname: &str, name: &str) -> i64 {
    let len = suite.len() + classname.len() + name.len() + 2;
    let mut stack = [0u8; 512];
    let mut heap = Vec::new();
    let buf: &mut [u8] = if len <= stack.len() {
        &mut stack[..len]
    } else {
        heap.resize(len, 0);
        &mut heap
    };
    let (a, rest) = buf.split_at_mut(suite.len());
    a.copy_from_slice(suite.as_bytes());
    rest[0] = 0x1f;
    let (b, rest) = rest[1..].split_at_mut(classname.len());
    b.copy_from_slice(classname.as_bytes());
    rest[0] = 0x1f;
    rest[1..].copy_from_slice(name.as_bytes());
    xxh3_64(buf) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_stable_and_separates_fields() {
        // Pinned value: stored keys depend on it.
        assert_eq!(test_key("s", "c", "n"), test_key("s", "c", "n"));
        assert_ne!(test_key("s", "cn", ""), test_key("s", "c", "n"));
        assert_ne!(test_key("a", "", ""), test_key("", "a", ""));
        assert_eq!(test_key("", "", ""), xxh3_64(&[0x1f, 0x1f]) as i64);
        assert_eq!(test_key("a", "b", "c"), xxh3_64(b"a\x1fb\x1fc") as i64);
        let long = "x".repeat(600);
        assert_eq!(test_key(&long, "b", "c"), xxh3_64(format!("{long}\x1fb\x1fc").as_bytes()) as i64);
    }
}
