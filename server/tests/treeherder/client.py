#!/usr/bin/env python3
"""Treeherder's submissions through the unmodified treeherder-client 3.1.0
(and its Hawk signing, requests-hawk and mohawk) against Assay's
/treeherder door, with the real samples of ../shared/corpus/treeherder.
Prints what the client read back, as JSON, for tests/door_treeherder.rs.

usage: client.py SERVER_URL PROJECT CLIENT_ID SECRET CORPUS_DIR
"""

import json
import sys

import requests
from thclient import (TreeherderArtifactCollection, TreeherderClient,
                      TreeherderJobCollection, TreeherderResultSetCollection)

server_url, project, client_id, secret, corpus = sys.argv[1:6]
out = {}

pushes = json.load(open(corpus + "/push_data.json"))[:3]
jobs = [json.loads(line) for line in open(corpus + "/job_data.txt") if line.strip()][:5]
# The jobs belong to the first push here.
for j in jobs:
    j["revision"] = pushes[0]["revision"]

client = TreeherderClient(server_url=server_url, client_id=client_id, secret=secret)

trc = TreeherderResultSetCollection()
for p in pushes:
    trc.add(trc.get_resultset(p))
out["resultset_post"] = client.post_collection(project, trc).status_code

tjc = TreeherderJobCollection()
for j in jobs:
    tjc.add(tjc.get_job(j))
out["jobs_post"] = client.post_collection(project, tjc).status_code
# Again: a retry, or the job's next state; never a duplicate.
out["jobs_post_again"] = client.post_collection(project, tjc).status_code
# The first job completes with a failure, and coalesces the second.
first = dict(jobs[0])
first["job"] = dict(first["job"], result="testfailed")
first["coalesced"] = [jobs[1]["job"]["job_guid"]]
tjc2 = TreeherderJobCollection()
tjc2.add(tjc2.get_job(first))
out["jobs_update"] = client.post_collection(project, tjc2).status_code

guid = jobs[0]["job"]["job_guid"]
tac = TreeherderArtifactCollection()
tac.add(tac.get_artifact({
    "job_guid": guid, "name": "Job Info", "type": "json",
    "blob": {"job_details": [
        {"content_type": "link", "title": "artifact uploaded", "value": "live_backing.log",
         "url": "https://ci.example/logs/live_backing.log"},
        {"content_type": "text", "title": "CPU usage", "value": "87.5%"},
        {"content_type": "raw_html", "title": "Summary",
         "value": "<b>3 failures</b><script>alert(1)</script><img src=x onerror=alert(2)>"},
    ]},
}))
tac.add(tac.get_artifact({
    "job_guid": guid, "name": "text_log_summary", "type": "json",
    "blob": json.load(open(corpus + "/artifacts__text_log_summary.json")),
}))
out["artifact_post"] = client.post_collection(project, tac).status_code

# Read back with the client's own methods. The client cannot sign a GET
# (mohawk refuses to hash an empty body), so reads go unsigned, as the
# client's users do.
reader = TreeherderClient(server_url=server_url)
out["resultsets"] = reader.get_resultsets(project)
out["jobs"] = reader.get_jobs(project, count=None)
job_id = [j for j in out["jobs"] if j["job_guid"] == guid][0]["id"]
out["details"] = reader.get_job_details(job_guid=guid)
out["log_urls"] = reader.get_job_log_url(project, job_id=job_id)
out["artifacts"] = reader.get_artifacts(project, job_id=job_id, name="Job Info")
out["option_hashes"] = reader.get_option_collection_hash()
out["repositories"] = reader.get_repositories()

# A wrong secret: refused.
wrong = TreeherderClient(server_url=server_url, client_id=client_id, secret=secret + "x")
try:
    wrong.post_collection(project, tjc)
    out["wrong_secret"] = 200
except requests.HTTPError as e:
    out["wrong_secret"] = e.response.status_code
    out["wrong_secret_body"] = e.response.json()

# The same signed request sent twice: the replay is refused.
req = requests.Request("POST", server_url + "/api/project/" + project + "/jobs/", json=tjc.get_collection_data())
prepared = client.session.prepare_request(req)
out["replay_first"] = client.session.send(prepared).status_code
second = client.session.send(prepared)
out["replay_second"] = second.status_code
out["replay_body"] = second.json()

print(json.dumps(out))
