#!/usr/bin/env python3
"""PerfTracker's artifacts through the unmodified perftrackerlib 0.1.8
client's ptArtifact, as pt-artifact-ctl and --pt-log-upload use it:

    artifacts.py URL JOB_UUID WORKDIR

Uploads a log compressed (as --pt-log-upload does) and linked to the job,
and a plain file; reads their info and the list; downloads both; updates
one; deletes it. Prints what it saw as JSON for the Rust test to check.
"""
import json
import os
import sys
import uuid

from perftrackerlib.client import ptArtifact, ptServer

url, job_uuid, work = sys.argv[1], sys.argv[2], sys.argv[3]
server = ptServer(url)
seen = {}

log = os.path.join(work, "stdout.txt")
with open(log, "w") as f:
    f.write("".join("iteration %d: 512 MB/s\n" % i for i in range(200)))
a = ptArtifact(server, filename="stdout.txt", description="suite output", inline=True, compression=True,
               ttl_days=7, linked_uuids=[job_uuid])
seen["upload"] = [a.upload(log).status_code, a._pt_server.get("/0/artifact/%s" % a.uuid).json]

blob = os.path.join(work, "perf.data")
with open(blob, "wb") as f:
    f.write(bytes(range(256)) * 64)
b = ptArtifact(server, description="profile")
r = b.upload(blob)
seen["upload2"] = [r.status_code, r.json]

resp, items = a.list()
seen["list"] = [resp.status_code, sorted(str(i.uuid) for i in items), [i.size for i in items]]

got = os.path.join(work, "stdout.back")
seen["download"] = a.download(got).status_code
seen["download_same"] = open(got).read() == open(log).read()
got = os.path.join(work, "perf.back")
seen["download2"] = b.download(got).status_code
seen["download2_same"] = open(got, "rb").read() == open(blob, "rb").read()

b.description = "profile, annotated"
b.ttl_days = 30
seen["update"] = b.update().status_code
other = str(uuid.uuid1())
seen["link"] = b.link([other]).status_code
seen["info"] = b.info().json

seen["delete"] = b.delete().json
seen["download_deleted"] = b.download(os.path.join(work, "gone")).status_code
seen["unknown"] = ptArtifact(server).info().status_code
seen["a"], seen["b"], seen["other"] = str(a.uuid), str(b.uuid), other
print(json.dumps(seen))
