//! `assay diff A.png B.png`: the pixel diff of the trace pages, natively.
//!
//! The first line printed is the number of differing pixels, so scripts
//! can read it; the exit code is 0 when the images match, 1 when they
//! differ and 2 when they cannot be compared (a file unreadable or not an
//! image, or the two of different sizes: the message says which).

use clap::Args;
use shared::pixeldiff::{self, Options};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The expected image (PNG).
    pub expected: PathBuf,
    /// The actual image (PNG).
    pub actual: PathBuf,
    /// Matching threshold from 0 to 1; smaller is more sensitive.
    #[arg(long, default_value_t = 0.1)]
    pub threshold: f64,
    /// Count anti-aliased pixels as differences (turns off AA detection).
    #[arg(long)]
    pub include_aa: bool,
    /// Write the diff image (PNG) here.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub fn run(args: &DiffArgs) -> ExitCode {
    match compare(args) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn load(path: &Path) -> Result<image::RgbaImage, String> {
    let img = image::ImageReader::open(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .with_guessed_format()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .decode()
        .map_err(|e| format!("{} is not an image that can be decoded: {e}", path.display()))?;
    Ok(img.to_rgba8())
}

/// Compares and prints; the number of differing pixels.
pub fn compare(args: &DiffArgs) -> Result<u64, String> {
    if !(0.0..=1.0).contains(&args.threshold) {
        return Err(format!("--threshold must be between 0 and 1, not {}", args.threshold));
    }
    let a = load(&args.expected)?;
    let b = load(&args.actual)?;
    if a.dimensions() != b.dimensions() {
        return Err(format!(
            "the images have different sizes: {} is {}×{}, {} is {}×{}",
            args.expected.display(),
            a.width(),
            a.height(),
            args.actual.display(),
            b.width(),
            b.height()
        ));
    }
    let (w, h) = a.dimensions();
    let opts = Options { threshold: args.threshold, include_aa: args.include_aa, ..Options::default() };
    let mut out = args.output.as_ref().map(|_| vec![0u8; a.as_raw().len()]);
    let stats =
        pixeldiff::diff(a.as_raw(), b.as_raw(), out.as_deref_mut(), w, h, &opts, &[]).map_err(|e| e.to_string())?;
    println!("{}", stats.differing);
    println!(
        "{:.4}% of {} pixels differ ({} more taken for anti-aliasing)",
        stats.percent(),
        stats.total,
        stats.antialiased
    );
    if let (Some(path), Some(out)) = (&args.output, out) {
        image::save_buffer_with_format(path, &out, w, h, image::ExtendedColorType::Rgba8, image::ImageFormat::Png)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(stats.differing)
}
