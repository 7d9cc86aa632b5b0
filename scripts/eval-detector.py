#!/usr/bin/env python3
"""Scores Assay's change-point detector on labelled series and prints the
figures, with Apache Otava and a Perfherder-style windowed t-test run side
by side on the same series.

Suites:
  otava    the patterns of the `otava-test-data` package (PyPI), as
           `otava-gen generate` makes them by default (lengths 50 and 500,
           seed 42, noise 0/2/5/10, with combinations: 110 series), scored
           with that package's own `compute_accuracy_metrics` (tolerance 5).
  synthetic  series generated here (seeded): steps of 1% to 50% under
           several noise levels and distributions, lone outliers, several
           change points, slow drifts, pure noise.

Scores are the mean of each series' F1 (the package scores one series at a
time), and precision, recall and F1 over all change points pooled.

Assay's detector reports level shifts (which alert), changes of spread
and lone outliers (which do not alert). The otava suite labels outliers and
variance changes as change points too, so "all" scores every kind Assay
reports against every label, and "mean shifts" scores the shift series
(step, regression-then-fix, multiple steps) with shifts only.

Usage: scripts/eval-detector.py [--no-otava] [--alpha P] [--min-segment N]
Needs: pip install otava-test-data apache-otava==0.8.0 (scripts/eval-detector.sh installs them).
"""

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from otava_test_data.web.main import compute_accuracy_metrics

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE = 5
SHIFT_GENERATORS = ("step_function", "multiple_changes", "regression_fix")


def otava_suite(tmp: Path):
    out = tmp / "otava"
    subprocess.run(["otava-gen", "generate", "-o", str(out)], check=True, stdout=subprocess.DEVNULL)
    manifest = json.loads((out / "manifest.json").read_text())
    series = []
    for e in manifest:
        lines = (out / e["filename"]).read_text().splitlines()[1:]
        values = [float(l.split(",")[1]) for l in lines if l.strip()]
        series.append({
            "id": f"otava/{e['id']:04d}",
            "generator": e["generator"],
            "family": e["generator"].split("(")[0].split("+")[0],
            "values": values,
            "truth": e["change_point_indices"],
            "truth_shifts": [i for i, t in zip(e["change_point_indices"], e["change_point_types"])
                             if t in ("step", "regression_start", "regression_end")],
            "shift_series": e["generator"].split("+")[0] in SHIFT_GENERATORS,
        })
    return series


def synthetic_suite():
    """Seeded series with known change points."""
    rng = random.Random(20261202)
    out = []

    def noise(dist, cv, level):
        if dist == "normal":
            return rng.gauss(0, cv * level)
        if dist == "uniform":
            return rng.uniform(-1, 1) * cv * level * math.sqrt(3)
        # Right-skewed, as timings are: lognormal with the given CV.
        s = math.sqrt(math.log(1 + cv * cv))
        return level * (rng.lognormvariate(-s * s / 2, s) - 1)

    n_id = 0
    for dist in ("normal", "lognormal", "uniform"):
        for cv in (0.005, 0.01, 0.02, 0.05):
            for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5):
                for length in (60, 300):
                    at = length // 2 + rng.randint(-length // 6, length // 6)
                    values = [100 * (1 + (step if i >= at else 0)) for i in range(length)]
                    values = [v + noise(dist, cv, v) for v in values]
                    n_id += 1
                    out.append({"id": f"syn/step/{dist}/cv{cv}/s{step}/L{length}/{n_id}", "family": f"step {int(step * 100)}%",
                                "values": values, "truth": [at], "truth_shifts": [at], "shift_series": True,
                                "detectable": step >= 4 * cv})
            # Pure noise, with and without lone outliers.
            for length in (60, 300):
                values = [100 + noise(dist, cv, 100) for _ in range(length)]
                n_id += 1
                out.append({"id": f"syn/noise/{dist}/cv{cv}/L{length}/{n_id}", "family": "noise", "values": values,
                            "truth": [], "truth_shifts": [], "shift_series": False, "detectable": True})
                spiky = list(values)
                for _ in range(max(1, length // 60)):
                    spiky[rng.randrange(5, length - 5)] *= rng.choice((1.5, 2.0, 0.6))
                n_id += 1
                out.append({"id": f"syn/outliers/{dist}/cv{cv}/L{length}/{n_id}", "family": "lone outliers",
                            "values": spiky, "truth": [], "truth_shifts": [], "shift_series": False, "detectable": True})
            # Several change points, regressions and fixes.
            for length in (120, 500):
                cps = sorted(rng.sample(range(15, length - 15, 15), 3))
                level, values, seg = 100.0, [], 0
                levels = [100.0]
                for _ in cps:
                    level *= 1 + rng.choice((-1, 1)) * rng.choice((0.1, 0.2, 0.3))
                    levels.append(level)
                for i in range(length):
                    while seg < len(cps) and i >= cps[seg]:
                        seg += 1
                    values.append(levels[seg])
                values = [v + noise(dist, cv, v) for v in values]
                n_id += 1
                out.append({"id": f"syn/multi/{dist}/cv{cv}/L{length}/{n_id}", "family": "several changes",
                            "values": values, "truth": cps, "truth_shifts": cps, "shift_series": True, "detectable": True})
            # A slow drift of 10% over the series: no abrupt change.
            for length in (100, 400):
                values = [100 * (1 + 0.1 * i / length) for i in range(length)]
                values = [v + noise(dist, cv, v) for v in values]
                n_id += 1
                out.append({"id": f"syn/drift/{dist}/cv{cv}/L{length}/{n_id}", "family": "slow drift", "values": values,
                            "truth": [], "truth_shifts": [], "shift_series": False, "detectable": True})
    return out


def run_assay(series, args):
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "shared", "--example", "detect"], check=True, cwd=ROOT)
    exe = ROOT / "target" / "release" / "examples" / "detect"
    cmd = [str(exe), "--alpha", str(args.alpha), "--min-segment", str(args.min_segment)]
    stdin = "".join(json.dumps({"id": s["id"], "values": s["values"]}) + "\n" for s in series)
    out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True).stdout
    answers = {a["id"]: a for a in map(json.loads, out.splitlines())}
    for s in series:
        a = answers[s["id"]]
        s["assay_shifts"] = a["shifts"]
        # The otava suite labels outliers as change points; the synthetic
        # one says an outlier is not a change (as Assay does).
        reported = a["shifts"] + a["variance"] + (a["outliers"] if s["id"].startswith("otava/") else [])
        s["assay_all"] = sorted(set(reported))
        s["assay_micros"] = a["micros"]


def perfherder_ttest(values, min_back=12, max_back=24, fore=12, t_threshold=7.0, min_change_pct=2.0):
    """Perfherder's alerting, as Treeherder describes and runs it (one value
    per push here): at each point, a t statistic between the points before
    it (at least 12, growing to 24 while nothing was found) and the 12 from
    it on, their means weighted linearly towards the point; a change where
    t exceeds 7 and is a local maximum, with both windows full, and the
    change is at least 2% (Perfherder's default alert threshold)."""
    n = len(values)

    def stats(window):
        k = len(window)
        weights = [(k - i) / k for i in range(k)]  # nearest first
        avg = sum(w * v for w, v in zip(weights, window)) / sum(weights)
        var = sum((v - avg) ** 2 for v in window) / (k - 1) if k > 1 else 0.0
        return avg, var, k

    t = [0.0] * n
    full = [False] * n
    since = 0
    for i in range(1, n):
        back_len = min(max(since, min_back), max_back)
        back = [values[j] for j in range(i - 1, max(-1, i - 1 - back_len), -1)]
        ahead = values[i:i + fore]
        full[i] = len(back) >= min_back and len(ahead) >= fore
        (a1, v1, n1), (a2, v2, n2) = stats(back), stats(ahead)
        if a2 == a1:
            t[i] = 0.0
        elif v1 == 0 and v2 == 0:
            t[i] = math.inf
        else:
            t[i] = abs(a2 - a1) / math.sqrt(v1 / n1 + v2 / n2)
        since = 0 if t[i] > t_threshold else since + 1
    found = []
    for i in range(1, n):
        if not full[i] or t[i] <= t_threshold or t[i - 1] > t[i] or (i + 1 < n and t[i + 1] > t[i]):
            continue
        before = sum(values[max(0, i - min_back):i]) / len(values[max(0, i - min_back):i])
        after = sum(values[i:i + fore]) / len(values[i:i + fore])
        if before != 0 and abs(after - before) / abs(before) * 100 >= min_change_pct:
            found.append(i)
    return found


def run_perfherder(series):
    for s in series:
        s["perfherder"] = perfherder_ttest(s["values"])


def run_otava(series):
    from otava.analysis import compute_change_points
    for s in series:
        t = time.perf_counter()
        cps, _ = compute_change_points(list(s["values"]))
        s["otava_micros"] = int((time.perf_counter() - t) * 1e6)
        s["otava"] = sorted(int(c.index) for c in cps)


def score(series, detected_key, truth_key):
    f1s, tp, fp, fn = [], 0, 0, 0
    for s in series:
        m = compute_accuracy_metrics(s[truth_key], s[detected_key], tolerance=TOLERANCE)
        f1s.append(m["f1_score"])
        tp += m["true_positives"]
        fp += m["false_positives"]
        fn += m["false_negatives"]
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"mean_f1": sum(f1s) / len(f1s) if f1s else float("nan"), "precision": p, "recall": r, "f1": f1,
            "series": len(series)}


def line(name, r):
    return (f"  {name:<28} {r['series']:>4} series  mean F1 {r['mean_f1']:.3f}  "
            f"precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}")


def report(title, series, with_otava):
    print(f"\n{title}")
    shifts = [s for s in series if s["shift_series"]]
    print(line("Assay, all kinds", score(series, "assay_all", "truth")))
    if with_otava:
        print(line("Otava 0.8 (defaults)", score(series, "otava", "truth")))
    print(line("Perfherder-style t-test", score(series, "perfherder", "truth")))
    print(line("Assay, mean-shift series", score(shifts, "assay_shifts", "truth_shifts")))
    if with_otava:
        print(line("Otava, mean-shift series", score(shifts, "otava", "truth_shifts")))
    print(line("Perfherder, mean-shift series", score(shifts, "perfherder", "truth_shifts")))
    families = sorted({s["family"] for s in series})
    print("  per family (Assay all kinds" + (" | Otava" if with_otava else "") + " | Perfherder), mean F1:")
    for fam in families:
        of = [s for s in series if s["family"] == fam]
        a = score(of, "assay_all", "truth")["mean_f1"]
        o = f" | {score(of, 'otava', 'truth')['mean_f1']:.3f}" if with_otava else ""
        ph = score(of, "perfherder", "truth")["mean_f1"]
        print(f"    {fam:<32} {len(of):>3}  {a:.3f}{o} | {ph:.3f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-otava", action="store_true", help="skip running Apache Otava side by side")
    ap.add_argument("--alpha", type=float, default=0.001)
    ap.add_argument("--min-segment", type=int, default=4)
    ap.add_argument("--suite", choices=("all", "otava", "synthetic"), default="all")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        suites = []
        if args.suite in ("all", "otava"):
            suites.append(("otava-gen generate (defaults: 110 series)", otava_suite(Path(tmp))))
        if args.suite in ("all", "synthetic"):
            suites.append(("synthetic (seeded)", synthetic_suite()))
        everything = [s for _, ss in suites for s in ss]
        run_assay(everything, args)
        run_perfherder(everything)
        if not args.no_otava:
            run_otava(everything)
        print(f"Assay detector: alpha {args.alpha}, min segment {args.min_segment}; tolerance ±{TOLERANCE}")
        for title, ss in suites:
            report(title, ss, not args.no_otava)
        syn = [s for _, ss in suites if _.startswith("synthetic") for s in ss]
        if syn:
            detectable = [s for s in syn if s.get("detectable")]
            print("\nsynthetic, leaving out steps smaller than 4× the noise's CV (no detector can see them):")
            print(line("Assay, all kinds", score(detectable, "assay_all", "truth")))
            if not args.no_otava:
                print(line("Otava", score(detectable, "otava", "truth")))
            print(line("Perfherder-style t-test", score(detectable, "perfherder", "truth")))
        t = sorted(s["assay_micros"] for s in everything)
        print(f"\nAssay time per series: median {t[len(t) // 2]} µs, max {t[-1]} µs")
        if not args.no_otava:
            t = sorted(s["otava_micros"] for s in everything)
            print(f"Otava time per series: median {t[len(t) // 2]} µs, max {t[-1]} µs")


if __name__ == "__main__":
    sys.exit(main())
