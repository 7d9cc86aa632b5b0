//! Failure signatures on the corpus reports: every failure that says
//! anything gets one, with line numbers, timestamps and ids masked, and
//! masking groups failures that differ only in such values.

use shared::analytics::cluster::{mask, signature};
use shared::report::{FormatChoice, parse_bytes};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn reports(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("corpus directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            reports(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("xml" | "trx" | "golden")) {
            out.push(path);
        }
    }
}

#[test]
fn corpus_failures_get_masked_signatures_that_group_them() {
    let mut files = Vec::new();
    reports(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/test-reports"), &mut files);
    let (mut failures, mut signed) = (0, 0);
    let mut masked = HashSet::new();
    let mut unmasked = HashSet::new();
    for path in files {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let Ok(report) = parse_bytes(&bytes, FormatChoice::Auto) else { continue };
        for c in report.cases.iter().filter(|c| c.status.is_bad()) {
            failures += 1;
            let said = [&c.failure_type, &c.message, &c.details]
                .iter()
                .any(|f| f.as_deref().is_some_and(|t| !t.trim().is_empty()));
            let Some(sig) = signature(c.failure_type.as_deref(), c.message.as_deref(), c.details.as_deref()) else {
                assert!(!said, "{}: {}: a failure with text but no signature", path.display(), c.name);
                continue;
            };
            signed += 1;
            for line in sig.text.lines() {
                assert_eq!(mask(line), line, "masking is idempotent: {line}");
                // No line number survives: `file.ext:12`.
                let b = line.as_bytes();
                for w in b.windows(2) {
                    assert!(
                        !(w[0] == b':' && w[1].is_ascii_digit()),
                        "{}: {}: unmasked number in {line}",
                        path.display(),
                        c.name
                    );
                }
            }
            masked.insert(sig.key);
            unmasked.insert(format!("{:?}{:?}{:?}", c.failure_type, c.message, c.details));
        }
    }
    assert!(failures > 300, "{failures} failures in the corpus");
    assert!(signed * 100 >= failures * 95, "{signed} of {failures} failures signed");
    // Failures that differ only in values, ids or line numbers share one.
    assert!(masked.len() < unmasked.len(), "{} signatures for {} distinct failure texts", masked.len(), unmasked.len());
    println!("{failures} failures, {} distinct texts, {} signatures", unmasked.len(), masked.len());
}
