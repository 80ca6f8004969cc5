#!/usr/bin/env python3
"""The plain approach, measured: one `after` chain per object type (live
list, then archived list, 100 a page, every property, the same
associations as the sync), the three types in parallel threads, no
database.  Prints the wall time and requests of each chain.

    plain_chains.py BASE_URL TOKEN
"""
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit

base, token = sys.argv[1:3]
u = urlsplit(base)
ASSOC = {"contacts": "deals,calls", "deals": "contacts", "calls": None}
out = {}


def chain(ot):
    conn = http.client.HTTPConnection(u.hostname, u.port)
    headers = {"Authorization": f"Bearer {token}"}
    t0 = time.monotonic()
    requests = 0

    def get(path):
        nonlocal requests
        while True:
            requests += 1
            conn.request("GET", u.path + path, headers=headers)
            r = conn.getresponse()
            body = r.read()
            if r.status == 429:          # not expected: ~7 requests/s in all
                time.sleep(int(r.headers.get("Retry-After") or 1))
                continue
            if r.status != 200:
                sys.exit(f"HTTP {r.status} for {path}")
            return json.loads(body)

    props = ",".join(p["name"] for p in get(f"/crm/v3/properties/{ot}")["results"])
    records = 0
    for archived in ("false", "true"):
        after = None
        while True:
            q = [("limit", "100"), ("archived", archived), ("properties", props)]
            if ASSOC[ot]:
                q.append(("associations", ASSOC[ot]))
            query = urlencode(q)
            if after:
                # Opaque and already percent-encoded: passed back as sent.
                query += "&after=" + after
            page = get(f"/crm/v3/objects/{ot}?" + query)
            records += len(page["results"])
            after = page.get("paging", {}).get("next", {}).get("after")
            if not after:
                break
    out[ot] = (time.monotonic() - t0, requests, records)


t0 = time.monotonic()
threads = [threading.Thread(target=chain, args=(ot,)) for ot in ASSOC]
for t in threads:
    t.start()
for t in threads:
    t.join()
wall = time.monotonic() - t0
detail = " ".join(f"{ot}={s:.2f}s/{n}req/{r}rec" for ot, (s, n, r) in sorted(out.items()))
print(f"wall_s={wall:.2f} requests={sum(v[1] for v in out.values())} {detail}")
