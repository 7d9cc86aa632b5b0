#!/usr/bin/env python3
"""A benchmark suite reporting with the unmodified perftrackerlib 0.1.8
client, as PerfTracker's users run theirs. The Rust test (door_perftracker.rs)
runs it against a live Assay server:

    suite.py STEP --pt-url http://PROJECT:TOKEN@host/perftracker --pt-project PROJECT [client options]

STEP says which tests the suite reports: `first` (a job), `append` (more
tests for it, with --pt-append UUID), `again` (a test the job already has,
which must be refused) or `replace` (new figures, --pt-replace UUID). It
prints the job's uuid.
"""
import datetime
import optparse
import sys

from perftrackerlib.client import ptHost, ptRuntimeException, ptSuite, ptTest, ptVM

step = sys.argv[1]
parser = optparse.OptionParser()
suite = ptSuite(job_title="disk tests on kvm", suite_name="disk tests", product_name="kvm",
                product_ver="2.6.32")
suite.addOptions(parser)
options, _ = parser.parse_args(sys.argv[2:])
suite.handleOptions(options)

tz = datetime.timezone.utc
suite.begin = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=tz)
suite.end = datetime.datetime(2026, 12, 1, 10, 30, tzinfo=tz)
suite._auto_end = suite.end
host = suite.addNode(ptHost("host1", hostname="host1.example", ip="10.0.0.1", cpus=8, ram_mb=16384))
host.addNode(ptVM("vm1", virt_type="kvm", version="2.6.32"))

if step == "first":
    suite.addTest(ptTest("seq read", group="disk", category="1 thread", metrics="MB/s",
                         scores=[512, 498, 506], deviations=[3.1, 2.9, 3.4], loops=100))
    suite.addTest(ptTest("random read latency", group="disk", metrics="ms", less_better=True,
                         scores=[1.20, 1.31, 1.25], attribs={"block": "4k"}))
elif step == "append":
    suite.addTest(ptTest("boot time", group="vm", metrics="s", less_better=True, scores=[10.1, 11.0, 10.6]))
    suite.addTest(ptTest("ssh", group="vm", status="FAILED", errors=["guest did not answer on ssh"]))
elif step == "again":
    suite.addTest(ptTest("boot time", group="vm", metrics="s", less_better=True, scores=[9.0, 9.1, 9.2]))
elif step == "replace":
    suite.addTest(ptTest("seq read", group="disk", category="1 thread", metrics="MB/s",
                         scores=[400, 410, 405], deviations=[3.0, 3.0, 3.0]))
else:
    sys.exit("unknown step %s" % step)

try:
    suite.upload()
except ptRuntimeException as e:
    print("refused: %s" % str(e).splitlines()[0][:300])
    sys.exit(3)
print(suite.uuid)
