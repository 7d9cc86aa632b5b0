//! Every benchmark output in the shared corpus (`../shared/corpus/benchmarks`)
//! parses to the figures its MANIFEST and the producing tool's adapter tests
//! give (Bencher's `EXPECTED.bencher-adapter-tests.json`), and the formats
//! the corpus lacks parse from fixtures made by the real tools
//! (`tests/fixtures/perf`: a job saved by `perftrackerlib` 0.1.8) or
//! written to their documented shapes (Perfherder's schema, cargo-criterion's
//! messages, Assay's own JSON).

use shared::perf::{Direction, PerfFormat, PerfFormatChoice, PerfReport, PerfStatus, detect, parse};
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("ASSAY_CORPUS") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

fn bencher(rel: &str) -> PathBuf {
    corpus_dir().join("benchmarks/bencher/lib/bencher_adapter/tool_output").join(rel)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/perf").join(name)
}

/// Parses with the format detected, checks detection named `format`, and
/// that naming the format gives the same report.
fn read(path: &Path, format: PerfFormat) -> PerfReport {
    read_as(path, &path.to_string_lossy(), format)
}

/// As [`read`], with the name an upload gives the file.
fn read_as(path: &Path, name: &str, format: PerfFormat) -> PerfReport {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(detect(&bytes).unwrap(), format, "{name}: detected format");
    let auto = parse(&bytes, PerfFormatChoice::Auto, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let named = parse(&bytes, PerfFormatChoice::Exactly(format), name).unwrap();
    assert_eq!(auto, named, "{name}: auto and ?format={format} differ");
    assert_eq!(auto.format, format);
    auto
}

fn names(r: &PerfReport) -> Vec<&str> {
    r.tests.iter().map(|t| t.name.as_str()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300)
}

#[track_caller]
fn assert_close(actual: f64, expected: f64) {
    assert!(close(actual, expected), "{actual} is not {expected}");
}

#[test]
fn hyperfine_two_and_one() {
    let r = read(&bencher("shell/hyperfine/two.json"), PerfFormat::Hyperfine);
    assert_eq!(names(&r), ["sleep 0.1", "sleep 0.2"]);
    let time = &r.tests[0].metrics[0];
    assert_eq!((time.name.as_str(), time.unit.as_str(), time.direction), ("time", "s", Direction::Lower));
    // Bencher's adapter gives 107534464.42370372 ns.
    assert_close(time.value * 1e9, 107_534_464.423_703_72);
    assert_close(r.tests[1].metrics[0].value * 1e9, 208_513_999.104_615_42);
    assert!(time.samples.len() >= 10, "every run's time is a sample: {}", time.samples.len());
    // Bencher's interval is mean ± stddev: 104316587.30865145..110752341.53875598 ns.
    assert_close((time.value - time.stddev.unwrap()) * 1e9, 104_316_587.308_651_45);
    let r = read(&bencher("shell/hyperfine/one.json"), PerfFormat::Hyperfine);
    assert_eq!(names(&r), ["sleep 0.01"]);
    assert_close(r.tests[0].metrics[0].value * 1e9, 13_317_239.025_420_565);
}

#[test]
fn pytest_benchmark_two_and_four() {
    let r = read(&bencher("python/pytest/two.json"), PerfFormat::PytestBenchmark);
    assert_eq!(names(&r), ["bench.py::test_fib_10", "bench.py::test_fib_20"]);
    let m = &r.tests[0].metrics[0];
    assert_eq!((m.unit.as_str(), m.direction), ("s", Direction::Lower));
    assert_close(m.value * 1e9, 24_088.681_333_229_408);
    assert_close(r.tests[1].metrics[0].value * 1e9, 2_985_030.672_661_863);
    assert!(!m.samples.is_empty(), "stats.data kept as samples");
    let ops = r.tests[0].metrics.iter().find(|m| m.name == "ops").expect("ops metric");
    assert_eq!(ops.direction, Direction::Higher);
    assert!(r.job.properties.iter().any(|p| p.name.starts_with("machine.")), "machine_info kept");

    let r = read(&bencher("python/pytest/four.json"), PerfFormat::PytestBenchmark);
    // In the file's order (Bencher's test looks them up by name).
    assert_eq!(
        names(&r),
        ["bench.py::test_fib_1", "bench.py::test_fib_10", "bench.py::test_fib_20", "bench.py::test_sleep_2"]
    );
    let expected = [149.956_102_486_288_36, 28_857.540_124_844_24, 3_611_916.368_852_473, 2_003_843_046.999_999_8];
    for (t, e) in r.tests.iter().zip(expected) {
        assert_close(t.metrics[0].value * 1e9, e);
    }
}

#[test]
fn jmh_latency_throughput_and_six() {
    let hello = "org.openjdk.jmh.samples.JMHSample_01_HelloWorld.wellHelloThere";
    let r = read(&bencher("java/jmh/throughput.json"), PerfFormat::Jmh);
    assert_eq!(names(&r), [hello]);
    let score = &r.tests[0].metrics[0];
    assert_eq!(score.direction, Direction::Higher, "thrpt is higher-is-better");
    assert_eq!(score.unit, "ops/s");
    assert_close(score.value, 3_376_238_873.122_818_5);
    assert!(score.lower.is_some() && score.upper.is_some(), "scoreConfidence kept");
    assert!(!score.samples.is_empty(), "rawData kept as samples");

    let r = read(&bencher("java/jmh/latency.json"), PerfFormat::Jmh);
    assert_eq!(names(&r), [hello]);
    let score = &r.tests[0].metrics[0];
    // The mode says thrpt but the unit is s/op: a time per operation.
    assert_eq!((score.direction, score.unit.as_str()), (Direction::Lower, "s/op"));
    // Bencher converts this file's score to ns (× 1e9 from s/op).
    assert_close(score.value * 1e9, 3.376_238_873_122_818_6e18);

    let r = read(&bencher("java/jmh/six.json"), PerfFormat::Jmh);
    assert_eq!(r.tests.len(), 6);
    let bencher_names = [
        ("compute_sameKey", "Caffeine"),
        ("compute_sameKey", "Guava"),
        ("compute_sameKey", "ConcurrentHashMap"),
        ("compute_spread", "Caffeine"),
        ("compute_spread", "Guava"),
        ("compute_spread", "ConcurrentHashMap"),
    ];
    let expected = [152_520_132.344_021_95, 29_945_718.611_377_83, 7_828_947.712_794_046, 75_813_218.878_697_38];
    for (i, (t, (bench, param))) in r.tests.iter().zip(bencher_names).enumerate() {
        assert!(t.name.contains(bench), "{}", t.name);
        assert!(t.name.ends_with(&format!("(computeType={param})")), "{}", t.name);
        assert!(t.attributes.iter().any(|p| p.name == "computeType" && p.value == param));
        if let Some(e) = expected.get(i) {
            assert_close(t.metrics[0].value, *e);
        }
    }
}

#[test]
fn bencher_metric_format() {
    let r = read(&bencher("json/report_latency.json"), PerfFormat::Bmf);
    assert_eq!(names(&r), ["tests::benchmark_a", "tests::benchmark_b", "tests::benchmark_c"]);
    for (t, e) in r.tests.iter().zip([3247.0, 3443.0, 3361.0]) {
        let m = &t.metrics[0];
        assert_eq!((m.name.as_str(), m.unit.as_str()), ("latency", "ns"));
        assert_close(m.value, e);
        assert!(m.lower.is_some() && m.upper.is_some());
    }
    assert_eq!(read(&bencher("json/report_bmf_mixed.json"), PerfFormat::Bmf).tests.len(), 3);
    let dhat = read(&bencher("json/report_dhat.json"), PerfFormat::Bmf);
    assert_eq!(names(&dhat), ["bench_play_game"]);
    assert!(dhat.tests[0].metrics.len() > 1, "every dhat measure is a metric");
}

#[test]
fn google_benchmark_inputs() {
    let dir = corpus_dir().join("benchmarks/google-benchmark/tools/gbench/Inputs");
    // (file, MANIFEST entry count)
    let files = [
        ("test1_run1.json", 16),
        ("test1_run2.json", 16),
        ("test2_run.json", 10),
        ("test3_run0.json", 7),
        ("test3_run1.json", 7),
        ("test4_run0.json", 1),
        ("test4_run1.json", 1),
        ("test5_run0.json", 1),
        ("test5_run1.json", 1),
    ];
    for (file, entries) in files {
        let path = dir.join(file);
        let r = read(&path, PerfFormat::GoogleBenchmark);
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let rows = v["benchmarks"].as_array().unwrap();
        assert_eq!(rows.len(), entries, "{file}: MANIFEST entries");
        // Every row is accounted for: an iteration row is one sample of its
        // benchmark's real_time; an aggregate row is left out unless its
        // benchmark has nothing else.
        let aggregates = rows.iter().filter(|r| r["run_type"] == "aggregate").count();
        let samples: usize = r
            .tests
            .iter()
            .filter_map(|t| t.metrics.iter().find(|m| m.name == "real_time"))
            .map(|m| m.samples.len())
            .sum();
        let aggregate_only = r
            .tests
            .iter()
            .filter(|t| t.metrics.iter().find(|m| m.name == "real_time").is_some_and(|m| m.samples.is_empty()))
            .count();
        assert!(samples + aggregates >= entries - aggregate_only, "{file}: {samples} samples, {aggregates} aggregates");
        assert!(!r.tests.is_empty());
    }
    // test4_run's twelve rows (compare.py's sorting test) measure nothing.
    let bytes = std::fs::read(dir.join("test4_run.json")).unwrap();
    assert_eq!(detect(&bytes).unwrap(), PerfFormat::GoogleBenchmark);
    let e = parse(&bytes, PerfFormatChoice::Auto, "test4_run.json").unwrap_err();
    assert!(e.message.contains("12 entries hold no measurement"), "{e}");
    // test2_run: ten plain rows, ten benchmarks, times in their own units.
    let r = read(&dir.join("test2_run.json"), PerfFormat::GoogleBenchmark);
    assert_eq!(r.tests.len(), 10);
    let hi = &r.tests[0];
    assert_eq!(hi.name, "BM_Hi");
    let real = hi.metrics.iter().find(|m| m.name == "real_time").unwrap();
    assert_eq!((real.unit.as_str(), real.value), ("ms", 42.0));
    assert_eq!(hi.metrics.iter().find(|m| m.name == "cpu_time").unwrap().value, 24.0);
    // test1_run1: BM_SameTimes, 10 ns, and repetitions folded into one test.
    let r = read(&dir.join("test1_run1.json"), PerfFormat::GoogleBenchmark);
    assert_eq!(r.tests[0].name, "BM_SameTimes");
    assert_eq!(r.tests.len(), 15, "16 rows of which one benchmark has a second row");
    assert!(r.job.properties.iter().any(|p| p.name.starts_with("context.")), "context kept");
}

#[test]
fn criterion_estimates_named_by_their_path() {
    let dir = corpus_dir().join("benchmarks/generated-locally/criterion-0.5.1");
    for (rel, name) in [
        ("fib 15/new/estimates.json", "fib 15"),
        ("fib_group/5/new/estimates.json", "fib_group/5"),
        ("fib_group/10/new/estimates.json", "fib_group/10"),
    ] {
        let path = dir.join(rel);
        let r = read_as(&path, rel, PerfFormat::Criterion);
        let full = format!("target/criterion/{rel}");
        assert_eq!(names(&read_as(&path, &full, PerfFormat::Criterion)), [name], "{full}");
        assert_eq!(names(&r), [name], "{rel}");
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let m = &r.tests[0].metrics[0];
        assert_eq!((m.name.as_str(), m.unit.as_str()), ("time", "ns"));
        assert_close(m.value, v["mean"]["point_estimate"].as_f64().unwrap());
        assert_close(m.lower.unwrap(), v["mean"]["confidence_interval"]["lower_bound"].as_f64().unwrap());
        assert_close(m.stddev.unwrap(), v["std_dev"]["point_estimate"].as_f64().unwrap());
    }
    let r = read_as(&dir.join("fib 15/new/estimates.json"), "fib 15/new/estimates.json", PerfFormat::Criterion);
    assert_close(r.tests[0].metrics[0].value, 1_927.075_186_804_505);
}

#[test]
fn cargo_criterion_messages() {
    let r = read(&fixture("cargo-criterion.jsonl"), PerfFormat::CargoCriterion);
    assert_eq!(names(&r), ["fib 15", "fib_group/5"], "group-complete is not a benchmark");
    let m = &r.tests[0].metrics[0];
    assert_eq!(m.samples, [1927.0, 1928.0, 1927.0, 1928.0], "measured value per iteration");
    assert_eq!((m.value, m.lower, m.upper), (1927.5, Some(1925.0), Some(1930.1)));
}

#[test]
fn perfherder_data_lines() {
    let r = read(&fixture("perfherder-log.txt"), PerfFormat::Perfherder);
    assert_eq!(names(&r), ["tp5n", "Base Content Explicit", "speedometer3"]);
    let tp5 = &r.tests[0];
    assert_eq!(tp5.group.as_deref(), Some("talos"), "framework is the group");
    assert_eq!(tp5.category.as_deref(), Some("e10s stylo"), "extraOptions are part of the identity");
    let metric_names: Vec<&str> = tp5.metrics.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(metric_names, ["value", "amazon.com", "bbc.co.uk"]);
    assert_eq!(tp5.metrics[1].samples, [198.0, 201.0, 199.5, 201.5]);
    assert_eq!(tp5.metrics[1].unit, "ms", "subtests inherit the suite's unit");
    let speedometer = &r.tests[2];
    assert_eq!(speedometer.metrics[0].direction, Direction::Higher);
    assert_eq!(speedometer.metrics[0].value, 18.4);
    assert_eq!(speedometer.group.as_deref(), Some("awsy"));
    // The schema's example document, as a whole JSON file, too.
    let doc = br#"{"framework": {"name": "raptor"}, "suites": [{"name": "s", "value": 1.5, "subtests": []}]}"#;
    let r = parse(doc, PerfFormatChoice::Auto, "perfherder-data.json").unwrap();
    assert_eq!((r.format, r.tests[0].metrics[0].value), (PerfFormat::Perfherder, 1.5));
}

#[test]
fn perftracker_job_saved_by_perftrackerlib() {
    let r = read(&fixture("perftracker-job.json"), PerfFormat::Perftracker);
    assert_eq!(r.job.title.as_deref(), Some("disk tests on kvm"));
    assert_eq!(r.job.regression.as_deref(), Some("kvm 2.6.32 rc1"));
    assert_eq!(r.job.uuid.as_deref(), Some("4a9c1e5e-d0a1-11ee-8000-000000000001"));
    assert_eq!(r.job.product.as_deref(), Some("kvm"));
    assert_eq!(r.job.suite_version.as_deref(), Some("1.2"));
    assert_eq!(r.job.machine.as_deref(), Some("host1"), "the first environment node");
    assert!(!r.job.append);
    assert!(r.job.properties.iter().any(|p| p.name == "env.host1.cpus" && p.value == "8"));
    assert!(r.job.properties.iter().any(|p| p.name.starts_with("env.host1.vm1.")), "child nodes flattened");
    assert_eq!(names(&r), ["seq read", "seq read", "random read latency", "boot time", "network throughput"]);
    let seq = &r.tests[0];
    assert_eq!((seq.group.as_deref(), seq.category.as_deref()), (Some("disk"), Some("1 thread")));
    let score = &seq.metrics[0];
    assert_eq!(score.samples, [512.0, 498.0, 506.0]);
    assert_eq!(score.deviations, [3.1, 2.9, 3.4]);
    assert_eq!(score.unit, "MB/s");
    assert_eq!(score.direction, Direction::Higher, "less_better defaults to false");
    assert_close(score.value, 1516.0 / 3.0);
    assert_eq!(r.tests[2].metrics[0].direction, Direction::Lower);
    assert_eq!(r.tests[3].status, PerfStatus::Failed);
    assert_eq!(r.tests[3].errors, ["guest did not answer on ssh"]);
    assert_eq!(r.tests[4].status, PerfStatus::Skipped);
}

#[test]
fn perftracker_regression_tag_and_append() {
    // What `--pt-regression-tag` and `--pt-append` make the client send.
    let doc = br#"{"job_title": "t", "uuid": "4A9C1E5E-D0A1-11EE-8000-000000000001", "append": true,
        "regression_name": "old", "regression_tag": "rc2", "tests": [{"tag": "a", "scores": [1]}]}"#;
    let r = parse(doc, PerfFormatChoice::Exactly(PerfFormat::Perftracker), "job.json").unwrap();
    assert_eq!(r.job.regression.as_deref(), Some("rc2"), "the server reads regression_tag first");
    assert_eq!(r.job.uuid.as_deref(), Some("4a9c1e5e-d0a1-11ee-8000-000000000001"), "uuids compare in lower case");
    assert!(r.job.append);
    let doc = br#"{"job_title": "t", "uuid": "u", "append": "yes", "regression_name": "old", "tests": [{"tag": "a", "scores": [2]}]}"#;
    let r = parse(doc, PerfFormatChoice::Exactly(PerfFormat::Perftracker), "job.json").unwrap();
    assert_eq!((r.job.regression.as_deref(), r.job.append), (Some("old"), true));
}

#[test]
fn assay_json() {
    let r = read(&fixture("assay.json"), PerfFormat::Assay);
    assert_eq!(names(&r), ["parse", "render"]);
    assert_eq!(r.job.regression.as_deref(), Some("v2.1-rc1"));
    let parse_test = &r.tests[0];
    assert_close(parse_test.metrics[0].value, 1.2);
    assert_eq!(parse_test.metrics[1].direction, Direction::Higher);
    assert_eq!(parse_test.links[0].url, "https://ci.example/log/1");
    assert_eq!(r.tests[1].status, PerfStatus::Failed);
}

#[test]
fn errors_name_the_place() {
    let e = parse(b"{\"results\": [{\"command\": \"x\"}]}", PerfFormatChoice::Auto, "h.json").unwrap_err();
    assert_eq!(e.path.as_deref(), Some("results[0].mean"), "{e}");
    let e = parse(b"{\"benchmarks\": [", PerfFormatChoice::Exactly(PerfFormat::GoogleBenchmark), "g").unwrap_err();
    assert_eq!((e.line, e.column.is_some()), (Some(1), true), "{e}");
    let e = parse(b"{\"a\": 1}", PerfFormatChoice::Auto, "x.json").unwrap_err();
    assert!(e.message.contains("unrecognised performance report"), "{e}");
    let e = parse(
        br#"{"format": "assay-perf/1", "tests": [{"name": "t", "metrics": [{"name": "m", "value": 1e999}]}]}"#,
        PerfFormatChoice::Auto,
        "a",
    )
    .unwrap_err();
    assert_eq!(e.line, Some(1), "out of range for a double: {e}");
    let e = parse(b"PERFHERDER_DATA: {not json}\n", PerfFormatChoice::Auto, "log").unwrap_err();
    assert_eq!(e.line, Some(1), "{e}");
    let e = parse(br#"{"format": "assay-perf/2", "tests": []}"#, PerfFormatChoice::Auto, "a").unwrap_err();
    assert_eq!(e.path.as_deref(), Some("format"), "{e}");
}
