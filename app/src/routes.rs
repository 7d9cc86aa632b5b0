//! URLs of the UI's pages, built in one place. Runs, jobs and tests are
//! addressed by id, so a URL never depends on how a name is encoded.

pub fn project(slug: &str) -> String {
    format!("/projects/{}", encode(slug))
}

pub fn run(slug: &str, run: i64) -> String {
    format!("{}/runs/{run}", project(slug))
}

pub fn job(slug: &str, run: i64, job: i64) -> String {
    format!("{}/jobs/{job}", self::run(slug, run))
}

pub fn test(slug: &str, run: i64, job: i64, test: i64) -> String {
    format!("{}/tests/{test}", self::job(slug, run, job))
}

pub fn artifact(slug: &str, run: i64, job: i64, artifact: i64) -> String {
    format!("{}/artifacts/{artifact}", self::job(slug, run, job))
}

/// A job's rendering-trace results.
pub fn job_traces(slug: &str, run: i64, job: i64) -> String {
    format!("{}/traces", self::job(slug, run, job))
}

/// A trace on a device, comparing its result in this job with the
/// reference (a view of the job's traces page: one route for both keeps
/// the router, which every page loads, smaller).
pub fn trace(slug: &str, run: i64, job: i64, trace: i64) -> String {
    format!("{}?trace={trace}", job_traces(slug, run, job))
}

/// A trace image, by the SHA-256 of its file.
pub fn image(sha256: &str) -> String {
    format!("/image/{sha256}")
}

/// Its thumbnail.
pub fn thumb(sha256: &str) -> String {
    format!("/image/{sha256}/thumb")
}

/// The project's traces YAML, with the references accepted in Assay.
pub fn traces_yaml(slug: &str, device: Option<&str>) -> String {
    format!("/api/v1/projects/{}/traces.yml{}", encode(slug), query(&[("device", device.map(str::to_owned))]))
}

/// A line of a text artifact: the page that holds it, scrolled to it.
pub fn artifact_line(slug: &str, run: i64, job: i64, artifact: i64, line: i64) -> String {
    format!("{}?line={line}#L{line}", self::artifact(slug, run, job, artifact))
}

/// Percent-encodes a path segment or query value (everything but
/// unreserved characters).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reverses [`encode`] (and any other percent-encoding); invalid escapes
/// are kept as they are.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) =
                std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or(())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A project's regression tags.
pub fn regressions(slug: &str) -> String {
    format!("{}/regressions", project(slug))
}

/// One regression tag's jobs.
pub fn regression(slug: &str, tag: &str) -> String {
    format!("{}/regressions/{}", project(slug), encode(tag))
}

/// A job's slowest tests and its key's tests that got slower.
pub fn job_durations(slug: &str, run: i64, job: i64) -> String {
    format!("{}/durations", self::job(slug, run, job))
}

/// A test's duration chart.
pub fn test_durations(slug: &str, run: i64, job: i64, test: i64) -> String {
    format!("{}/durations", self::test(slug, run, job, test))
}

/// A project's failure clusters.
pub fn clusters(slug: &str) -> String {
    format!("{}/failure-clusters", project(slug))
}

/// One failure cluster.
pub fn cluster(slug: &str, id: i64) -> String {
    format!("{}/failure-clusters/{id}", project(slug))
}

/// A project's quarantined tests.
pub fn quarantine(slug: &str) -> String {
    format!("{}/quarantine", project(slug))
}

/// A project's flaky tests.
pub fn flaky_tests(slug: &str) -> String {
    format!("{}/flaky-tests", project(slug))
}

/// A project's regression alerts.
pub fn alerts(slug: &str) -> String {
    format!("{}/alerts", project(slug))
}

/// Jobs compared side by side, the first the baseline.
pub fn compare(jobs: &[i64]) -> String {
    let ids: Vec<String> = jobs.iter().map(i64::to_string).collect();
    format!("/compare?jobs={}", ids.join(","))
}

/// Two jobs' tests compared, base first.
pub fn compare_tests(base: i64, head: i64) -> String {
    format!("/compare/tests?base={base}&head={head}")
}

/// Two runs' tests compared, their jobs paired by key.
pub fn compare_runs(base: i64, head: i64) -> String {
    format!("/compare/tests?base_run={base}&head_run={head}")
}

/// A graph of one or more series.
pub fn series(ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("/series?ids={}", ids.join(","))
}

pub fn settings(slug: &str) -> String {
    format!("{}/settings", project(slug))
}

/// The sign-in page, coming back to `next` afterwards.
pub fn login(next: &str) -> String {
    format!("/login{}", query(&[("next", Some(next.to_owned()))]))
}

/// A query string from the pairs whose value is set, `?a=1&b=2`, or "".
pub fn query(pairs: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| format!("{k}={}", encode(v))))
        .collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(test("web", 1, 2, 3), "/projects/web/runs/1/jobs/2/tests/3");
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
        assert_eq!(trace("web", 1, 2, 9), "/projects/web/runs/1/jobs/2/traces?trace=9");
        assert_eq!(traces_yaml("web", Some("gl dev")), "/api/v1/projects/web/traces.yml?device=gl%20dev");
        assert_eq!(decode(&encode("ünï <b> 100%")), "ünï <b> 100%");
        assert_eq!(decode("bad%zz%4"), "bad%zz%4");
        assert_eq!(decode("%é%"), "%é%");
        assert_eq!(query(&[("q", Some("x y".into())), ("page", None), ("s", Some(String::new()))]), "?q=x%20y");
    }
}
