//! A sparse index of where lines start in a file, built while the file is
//! spooled, so that a page of a 500 MB log can be read with one range read
//! instead of scanning everything before it.

use serde::{Deserialize, Serialize};

/// A checkpoint at least every this many lines…
pub const EVERY_LINES: i64 = 1000;
/// …and at the first line start past this many bytes since the last one,
/// so that skipping from a checkpoint to a line never reads much.
pub const EVERY_BYTES: u64 = 1024 * 1024;

/// Where some lines start: `(line, offset)` pairs, 1-based lines, in
/// increasing order, the first always `(1, 0)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineIndex {
    /// Lines in the file (a last line without a newline counts).
    pub lines: i64,
    pub checkpoints: Vec<(i64, u64)>,
}

impl LineIndex {
    /// The last checkpoint at or before `line`.
    pub fn before(&self, line: i64) -> (i64, u64) {
        let i = self.checkpoints.partition_point(|&(l, _)| l <= line);
        if i == 0 { (1, 0) } else { self.checkpoints[i - 1] }
    }
}

#[derive(Debug)]
pub struct LineIndexer {
    index: LineIndex,
    /// Bytes seen so far.
    offset: u64,
    /// The line the next byte belongs to.
    line: i64,
    last_checkpoint: (i64, u64),
    ends_with_newline: bool,
}

impl Default for LineIndexer {
    fn default() -> Self {
        LineIndexer {
            index: LineIndex { lines: 0, checkpoints: vec![(1, 0)] },
            offset: 0,
            line: 1,
            last_checkpoint: (1, 0),
            ends_with_newline: false,
        }
    }
}

impl LineIndexer {
    pub fn feed(&mut self, chunk: &[u8]) {
        let base = self.offset;
        for i in memchr::memchr_iter(b'\n', chunk) {
            self.line += 1;
            let start = base + i as u64 + 1;
            let (l, o) = self.last_checkpoint;
            if self.line - l >= EVERY_LINES || start - o >= EVERY_BYTES {
                self.last_checkpoint = (self.line, start);
                self.index.checkpoints.push(self.last_checkpoint);
            }
        }
        if let Some(&last) = chunk.last() {
            self.ends_with_newline = last == b'\n';
        }
        self.offset += chunk.len() as u64;
    }

    pub fn finish(mut self) -> LineIndex {
        self.index.lines = if self.offset == 0 {
            0
        } else if self.ends_with_newline {
            self.line - 1
        } else {
            self.line
        };
        // A checkpoint at the very end starts no line.
        while self.index.checkpoints.len() > 1
            && self.index.checkpoints.last().is_some_and(|&(l, _)| l > self.index.lines)
        {
            self.index.checkpoints.pop();
        }
        self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(chunks: &[&[u8]]) -> LineIndex {
        let mut ix = LineIndexer::default();
        for c in chunks {
            ix.feed(c);
        }
        ix.finish()
    }

    #[test]
    fn counts_lines_with_or_without_a_final_newline() {
        assert_eq!(index(&[]).lines, 0);
        assert_eq!(index(&[b"one"]).lines, 1);
        assert_eq!(index(&[b"one\n"]).lines, 1);
        assert_eq!(index(&[b"one\ntw", b"o\nthree"]).lines, 3);
        assert_eq!(index(&[b"\n\n"]).lines, 2);
    }

    #[test]
    fn checkpoints_every_thousand_lines_across_chunks() {
        let text = "x\n".repeat(2500);
        let bytes = text.as_bytes();
        let ix = index(&[&bytes[..777], &bytes[777..]]);
        assert_eq!(ix.lines, 2500);
        assert_eq!(ix.checkpoints, vec![(1, 0), (1001, 2000), (2001, 4000)]);
        assert_eq!(ix.before(1000), (1, 0));
        assert_eq!(ix.before(1001), (1001, 2000));
        assert_eq!(ix.before(2400), (2001, 4000));
    }

    #[test]
    fn long_lines_get_byte_checkpoints() {
        let line = format!("{}\n", "y".repeat(600 * 1024));
        let ix = index(&[line.as_bytes(), line.as_bytes(), line.as_bytes()]);
        assert_eq!(ix.lines, 3);
        let step = line.len() as u64;
        assert_eq!(ix.checkpoints, vec![(1, 0), (3, 2 * step)]);
    }
}
