//! hyperfine's `--export-json`: `results`, one per command, with every
//! run's time (`times`, seconds), mean, stddev, median, min, max, user and
//! system time, exit codes, and `parameters` for parameter scans.

use super::json::{At, properties};
use super::{Direction, Metric, PerfError, PerfFormat, PerfReport, PerfStatus, PerfTest};
use serde_json::Value;

pub(crate) fn parse(v: &Value) -> Result<PerfReport, PerfError> {
    let root = At::root(v);
    let mut report = PerfReport::new(PerfFormat::Hyperfine);
    for r in root.need("results")?.at().items()? {
        let r = r.at();
        let mut time = Metric::from_samples("time", "s", Direction::Lower, r.opt_numbers("times")?);
        time.value = r.need_num("mean")?;
        time.stddev = r.opt_num("stddev")?;
        let mut metrics = vec![time];
        for key in ["user", "system"] {
            if let Some(x) = r.opt_num(key)? {
                metrics.push(Metric::single(key, "s", Direction::Lower, x));
            }
        }
        let codes = r.opt_numbers("exit_codes")?;
        let failed = codes.iter().filter(|c| **c != 0.0).count();
        let mut test = PerfTest {
            name: r.need_str("command")?.to_owned(),
            attributes: properties(r.get("parameters"))?,
            metrics,
            ..PerfTest::default()
        };
        if failed > 0 {
            test.status = PerfStatus::Failed;
            test.errors.push(format!("{failed} of {} runs exited with a non-zero status", codes.len()));
        }
        report.tests.push(test);
    }
    Ok(report)
}
