//! The traces YAML of Mesa's CI: per trace, per device, the expected
//! checksum or a label.
//!
//! ```yaml
//! traces-db:
//!   download-url: "https://s3.freedesktop.org/mesa-tracie-public/"
//! traces:
//!   bgfx/01-cubes.rdc:
//!     gl-vmware-llvmpipe:
//!       checksum: a453a832e0e07132bb2c92c3fed7df18
//!   ror/ror-default.trace:
//!     gl-vmware-llvmpipe:
//!       label: [skip, slow]
//!       text: why
//! ```
//!
//! [`write`] gives the file back with accepted references, checksums
//! quoted: YAML reads an unquoted all-digit checksum as a number, which
//! makes piglit's replayer crash.

use super::{TraceError, TraceLabel, valid_checksum};
use yaml_rust2::{Yaml, YamlLoader};

/// What the file expects of one trace on one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub trace: String,
    pub device: String,
    pub checksum: Option<String>,
    pub label: Option<TraceLabel>,
    /// The label's words as written (`[skip, slow]`), kept for writing back.
    pub label_words: Vec<String>,
    pub text: Option<String>,
}

/// A traces file read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TracesFile {
    pub download_url: Option<String>,
    pub expectations: Vec<Expectation>,
}

impl TracesFile {
    pub fn find(&self, trace: &str, device: &str) -> Option<&Expectation> {
        self.expectations.iter().find(|e| e.trace == trace && e.device == device)
    }
}

fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Real(r) => Some(r.clone()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

pub fn parse(text: &str) -> Result<TracesFile, TraceError> {
    let docs = YamlLoader::load_from_str(text)
        .map_err(|e| TraceError::at(e.marker().line() as u64, format!("not valid YAML: {}", e.info())))?;
    let doc = docs.into_iter().next().ok_or_else(|| TraceError::new("an empty YAML file"))?;
    let Yaml::Hash(root) = &doc else { return Err(TraceError::new("a traces file is a mapping with a 'traces' key")) };
    let mut out = TracesFile {
        download_url: doc["traces-db"]["download-url"].as_str().map(str::to_owned),
        ..TracesFile::default()
    };
    let traces = match root.get(&Yaml::String("traces".into())) {
        Some(Yaml::Hash(h)) => h,
        Some(Yaml::Null) => return Ok(out),
        Some(_) => return Err(TraceError::new("'traces' must map trace paths to devices")),
        None => return Err(TraceError::new("no 'traces' key: this is not a traces YAML file")),
    };
    for (k, devices) in traces {
        let trace = scalar(k).ok_or_else(|| TraceError::new("a trace path under 'traces' is not a string"))?;
        let Yaml::Hash(devices) = devices else {
            return Err(TraceError::new(format!("trace {trace}: expected a mapping of devices")));
        };
        for (d, e) in devices {
            let device =
                scalar(d).ok_or_else(|| TraceError::new(format!("trace {trace}: a device name is not a string")))?;
            let place = format!("trace {trace}, device {device}");
            let Yaml::Hash(_) = e else {
                return Err(TraceError::new(format!("{place}: expected 'checksum:' or 'label:'")));
            };
            let checksum = match &e["checksum"] {
                Yaml::BadValue | Yaml::Null => None,
                Yaml::String(s) if valid_checksum(s) => Some(s.to_ascii_lowercase()),
                Yaml::String(s) => return Err(TraceError::new(format!("{place}: checksum '{s}' is not hexadecimal"))),
                other => {
                    return Err(TraceError::new(format!(
                        "{place}: the checksum is read by YAML as {} ({}), not text: quote it",
                        match other {
                            Yaml::Integer(_) => "a number",
                            Yaml::Real(_) => "a number",
                            Yaml::Boolean(_) => "a boolean",
                            _ => "a structure",
                        },
                        scalar(other).unwrap_or_default()
                    )));
                }
            };
            let label_words: Vec<String> = match &e["label"] {
                Yaml::Array(a) => a.iter().filter_map(scalar).collect(),
                Yaml::BadValue | Yaml::Null => Vec::new(),
                other => scalar(other).into_iter().collect(),
            };
            let label = if label_words.iter().any(|w| w == "unsupported") {
                Some(TraceLabel::Unsupported)
            } else if label_words.iter().any(|w| w == "skip") {
                Some(TraceLabel::Skip)
            } else {
                None
            };
            if checksum.is_none() && label.is_none() {
                return Err(TraceError::new(format!("{place}: neither a checksum nor a skip or unsupported label")));
            }
            out.expectations.push(Expectation {
                trace: trace.clone(),
                device,
                checksum,
                label,
                label_words,
                text: e["text"].as_str().map(str::to_owned),
            });
        }
    }
    Ok(out)
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// The traces file for `expectations`, traces and devices sorted.
pub fn write(download_url: Option<&str>, expectations: &[Expectation]) -> String {
    let mut sorted: Vec<&Expectation> = expectations.iter().collect();
    sorted.sort_by(|a, b| (&a.trace, &a.device).cmp(&(&b.trace, &b.device)));
    let mut out = String::from("%YAML 1.2\n---\n");
    if let Some(url) = download_url {
        out.push_str(&format!("traces-db:\n  download-url: {}\n\n", quoted(url)));
    }
    out.push_str("traces:\n");
    let mut last: Option<&str> = None;
    for e in sorted {
        if last != Some(e.trace.as_str()) {
            out.push_str(&format!("  {}:\n", quoted(&e.trace)));
            last = Some(&e.trace);
        }
        out.push_str(&format!("    {}:\n", quoted(&e.device)));
        if let Some(c) = &e.checksum {
            out.push_str(&format!("      checksum: {}\n", quoted(c)));
        }
        if !e.label_words.is_empty() {
            let words: Vec<String> = e.label_words.iter().map(|w| quoted(w)).collect();
            out.push_str(&format!("      label: [{}]\n", words.join(", ")));
        }
        if let Some(t) = &e.text {
            out.push_str(&format!("      text: {}\n", quoted(t)));
        }
    }
    out
}
