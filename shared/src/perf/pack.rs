//! A perf upload's measurements packed into one blob at ingest, so that a
//! comparison reads one row per upload instead of one per metric (on
//! SQLite every row crosses a thread; 40,000 of them cost more than all
//! the statistics). Little-endian:
//!
//! `b"APK1"`, count (u32), then per measurement: series id (i64), direction
//! (u8: 0 lower, 1 higher is better), value (f64), sample count (u32) and
//! the samples (f64 each), then test, group, category, metric and unit
//! (u32 length + UTF-8 each).

use super::Direction;
use super::compare::Measurement;

const MAGIC: &[u8; 4] = b"APK1";

pub fn encode(ms: &[Measurement]) -> Vec<u8> {
    let strings: usize =
        ms.iter().map(|m| m.test.len() + m.group.len() + m.category.len() + m.metric.len() + m.unit.len()).sum();
    let samples: usize = ms.iter().map(|m| m.samples.len()).sum();
    let mut out = Vec::with_capacity(8 + ms.len() * 41 + samples * 8 + strings);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(ms.len() as u32).to_le_bytes());
    for m in ms {
        out.extend_from_slice(&m.series_id.to_le_bytes());
        out.push(match m.direction {
            Direction::Lower => 0,
            Direction::Higher => 1,
        });
        out.extend_from_slice(&m.value.to_le_bytes());
        out.extend_from_slice(&(m.samples.len() as u32).to_le_bytes());
        for s in &m.samples {
            out.extend_from_slice(&s.to_le_bytes());
        }
        for s in [&m.test, &m.group, &m.category, &m.metric, &m.unit] {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| {
            format!("perf pack truncated at byte {} (wanted {n} more of {})", self.at, self.bytes.len())
        })?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    fn u64(&mut self) -> Result<[u8; 8], String> {
        Ok(self.take(8)?.try_into().expect("8 bytes"))
    }

    fn text(&mut self) -> Result<String, String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|e| format!("perf pack text at byte {}: {e}", self.at))
    }
}

pub fn decode(bytes: &[u8]) -> Result<Vec<Measurement>, String> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4)? != MAGIC {
        return Err("not a perf pack (no APK1 header)".into());
    }
    let count = r.u32()? as usize;
    // Each measurement takes at least 41 bytes: a count past that is corrupt.
    if count > bytes.len() / 41 {
        return Err(format!("perf pack claims {count} measurements in {} bytes", bytes.len()));
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let series_id = i64::from_le_bytes(r.u64()?);
        let direction = match r.take(1)?[0] {
            0 => Direction::Lower,
            1 => Direction::Higher,
            other => return Err(format!("perf pack direction {other} at byte {}", r.at - 1)),
        };
        let value = f64::from_le_bytes(r.u64()?);
        let n = r.u32()? as usize;
        let raw = r.take(n.checked_mul(8).ok_or("perf pack sample count overflows")?)?;
        let samples = raw.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect();
        let (test, group, category, metric, unit) = (r.text()?, r.text()?, r.text()?, r.text()?, r.text()?);
        out.push(Measurement { series_id, test, group, category, metric, unit, direction, value, samples });
    }
    if r.at != bytes.len() {
        return Err(format!("perf pack has {} bytes after its last measurement", bytes.len() - r.at));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: i64, test: &str, samples: &[f64]) -> Measurement {
        Measurement {
            series_id: id,
            test: test.into(),
            group: "g".into(),
            category: String::new(),
            metric: "time".into(),
            unit: "ms".into(),
            direction: if id % 2 == 0 { Direction::Lower } else { Direction::Higher },
            value: samples.iter().sum::<f64>(),
            samples: samples.to_vec(),
        }
    }

    #[test]
    fn round_trips_and_refuses_damage() {
        let ms = vec![m(1, "parse ✓", &[1.5, 2.25, -0.0]), m(2, "", &[]), m(u32::MAX as i64 + 7, "x", &[f64::MAX])];
        let packed = encode(&ms);
        assert_eq!(decode(&packed).unwrap(), ms);
        assert_eq!(decode(&encode(&[])).unwrap(), vec![]);
        for cut in [0, 3, 7, 20, packed.len() - 1] {
            assert!(decode(&packed[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = packed.clone();
        longer.push(0);
        assert!(decode(&longer).unwrap_err().contains("after its last"));
        let mut huge = packed.clone();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&huge).unwrap_err().contains("claims"));
    }
}
