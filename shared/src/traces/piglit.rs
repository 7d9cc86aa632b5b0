//! piglit's replayer output: each trace it replays ends with a line
//!
//! ```text
//! PIGLIT: {"images": [{"image_desc": "trace1/magenta.testtrace",
//!   "checksum_ref": "…", "checksum_render": "…", "image_ref": "….png",
//!   "image_render": "./results/trace/<device>/<trace>-0-<checksum>.png"}],
//!   "result": "pass"}
//! ```
//!
//! The rest of the log is ignored but for the `Dumping trace …` line,
//! which names a trace whose replay failed before it rendered. The device
//! is the directory the image is written to (`…/trace/<device>/…`), or the
//! one given.

use super::{ParsedTrace, TraceError, TraceLabel, valid_checksum};
use serde::Deserialize;

#[derive(Deserialize)]
struct Line {
    #[serde(default)]
    images: Vec<Image>,
    result: String,
}

#[derive(Deserialize)]
struct Image {
    image_desc: String,
    #[serde(default)]
    checksum_ref: Option<String>,
    #[serde(default)]
    checksum_render: Option<String>,
    #[serde(default)]
    image_ref: Option<String>,
    #[serde(default)]
    image_render: Option<String>,
}

pub fn parse(text: &str, device: Option<&str>) -> Result<Vec<ParsedTrace>, TraceError> {
    let mut out = Vec::new();
    let mut dumping: Option<String> = None;
    // `Writing RGBA: … to ./results/trace/<device>/<trace>-0.png`: the
    // device when the image itself was not kept.
    let mut written: Option<String> = None;
    let mut lines_seen = 0;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let line = raw.trim();
        if let Some(rest) = line.split_once("Dumping trace ").map(|(_, r)| r) {
            dumping = Some(trace_of_dump(rest));
            continue;
        }
        if let Some(path) = line.strip_prefix("to ") {
            written = Some(path.trim().to_owned());
            continue;
        }
        let Some(json) = line.strip_prefix("PIGLIT:") else { continue };
        lines_seen += 1;
        let parsed: Line = serde_json::from_str(json.trim())
            .map_err(|e| TraceError::at(line_no, format!("the PIGLIT result line is not the replayer's JSON: {e}")))?;
        let result = parsed.result.as_str();
        if parsed.images.is_empty() {
            let name = dumping.take().ok_or_else(|| {
                TraceError::at(
                    line_no,
                    format!(
                        "the PIGLIT result '{result}' names no trace (no images, no 'Dumping trace' line before it)"
                    ),
                )
            })?;
            let device = device.ok_or_else(|| {
                TraceError::at(line_no, format!("trace {name}: no device (send ?device= for results without images)"))
            })?;
            out.push(ParsedTrace {
                name,
                device: device.to_owned(),
                failed: result != "skip",
                label: (result == "skip").then_some(TraceLabel::Skip),
                text: Some(format!("piglit result: {result}")),
                ..ParsedTrace::default()
            });
            continue;
        }
        dumping = None;
        for img in parsed.images {
            let name = img.image_desc.trim().to_owned();
            if name.is_empty() {
                return Err(TraceError::at(line_no, "an image of the PIGLIT line has an empty image_desc"));
            }
            for (what, sum) in [("checksum_ref", &img.checksum_ref), ("checksum_render", &img.checksum_render)] {
                if let Some(s) = sum
                    && !valid_checksum(s)
                {
                    return Err(TraceError::at(
                        line_no,
                        format!("trace {name}: {what} '{s}' is not a hexadecimal checksum"),
                    ));
                }
            }
            let render = img.image_render.filter(|s| !s.is_empty());
            let dev = render
                .as_deref()
                .and_then(|p| device_of(p, &name))
                .or_else(|| written.as_deref().and_then(|p| device_of(p, &name)))
                .or_else(|| device.map(str::to_owned))
                .ok_or_else(|| {
                    TraceError::at(line_no, format!("trace {name}: no device in its image path (send ?device=)"))
                })?;
            out.push(ParsedTrace {
                name,
                device: dev,
                expected_checksum: img.checksum_ref.map(|s| s.to_ascii_lowercase()),
                actual_checksum: img.checksum_render.map(|s| s.to_ascii_lowercase()),
                actual_image: render,
                expected_image: img.image_ref.filter(|s| !s.is_empty()),
                failed: result == "crash" || result == "timeout",
                label: None,
                text: (result != "pass" && result != "fail").then(|| format!("piglit result: {result}")),
            });
        }
        written = None;
    }
    if lines_seen == 0 {
        return Err(TraceError::new(
            "no 'PIGLIT: {…}' result line: this is not piglit replayer output (the `compare yaml` mode prints none; run `compare trace`)",
        ));
    }
    Ok(out)
}

/// `./replayer-db/trace1/magenta.testtrace...` → `trace1/magenta.testtrace`.
fn trace_of_dump(rest: &str) -> String {
    let p = rest.trim().trim_end_matches("...").trim();
    let p = p.split_once("replayer-db/").map_or(p, |(_, r)| r);
    p.trim_start_matches("./").to_owned()
}

/// The device directory of a rendered image: `…/trace/<device>/<trace>-N-<sum>.png`.
fn device_of(render: &str, trace: &str) -> Option<String> {
    let at = render.rfind(&format!("/{trace}-"))?;
    let dir = &render[..at];
    let dev = dir.rsplit('/').next()?;
    (!dev.is_empty() && dev != "." && dev != "..").then(|| dev.to_owned())
}
