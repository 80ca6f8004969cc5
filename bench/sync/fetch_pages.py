#!/usr/bin/env python3
"""Fetch every contacts list page (live, then archived) the way a full sync
asks for them -- every property, associations deals,calls, 100 a page --
and write one page a line (the page's JSON body) for COPY.

    fetch_pages.py BASE_URL TOKEN OUT_FILE

Prints pages, records and the seconds the fetch took (the mock's serving
time plus the client's, no database involved).
"""
import http.client
import json
import sys
import time
from urllib.parse import urlencode, urlsplit

base, token, out_path = sys.argv[1:4]
u = urlsplit(base)
conn = http.client.HTTPConnection(u.hostname, u.port)
headers = {"Authorization": f"Bearer {token}"}


def get(path):
    conn.request("GET", u.path + path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit(f"HTTP {r.status} for {path}: {body[:200]!r}")
    return json.loads(body)


t0 = time.monotonic()
props = ",".join(p["name"] for p in get("/crm/v3/properties/contacts")["results"])
pages = records = 0
with open(out_path, "w") as out:
    for archived in ("false", "true"):
        after = None
        while True:
            q = [("limit", "100"), ("archived", archived), ("properties", props),
                 ("associations", "deals,calls")]
            if after:
                q.append(("after", after))
            page = get("/crm/v3/objects/contacts?" + urlencode(q))
            out.write(json.dumps(page, separators=(",", ":")) + "\n")
            pages += 1
            records += len(page["results"])
            after = page.get("paging", {}).get("next", {}).get("after")
            if not after:
                break
print(f"fetched pages={pages} records={records} seconds={time.monotonic() - t0:.2f}")
