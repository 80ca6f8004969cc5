#!/usr/bin/env python3
"""The contract test: every request the extension sent to the mocks, checked
against HubSpot's official OpenAPI specs.

The suite runs each mock with --request-log FILE (one JSON line per request:
method, path with query, body).  This script reads those lines, strips the
mock's own test-only parts (/_mock/ requests; the /_fault, /_version,
/_size, /_assocpage, /_run and other /_name/value prefixes), and checks each request against
the specs in ../shared/hubspot-openapi/ (relative to the repository root):
the path must match a path template of an operation with that method; every
query parameter must be one the operation declares, of its type; a body
must match the operation's request schema (types, required fields, enums,
no field the schema does not define).  Where the specs give a limit only in
prose, or not at all, LIMITS below holds it, with its source.

The specs live outside the repository (they are HubSpot's, not ours): when
that folder is absent, as in a user's clone, the test says so and passes.
Endpoints the spec folder lacks are checked against ALLOWED below.

Usage: check_requests.py LOG...   (exit 1 when a request breaks the contract)
       check_requests.py --self-test   (proves that bad requests are caught)
Python 3 standard library only.
"""

import argparse
import json
import os
import re
import sys
from urllib.parse import parse_qsl, urlsplit

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC_DIR = os.path.join(os.path.dirname(REPO), "shared", "hubspot-openapi")
SPEC_FILES = ("objects-v3.json", "contacts-v3.json", "deals-v3.json", "calls-v3.json",
              "properties-v3.json", "associations-v4.json")
# The mock's test-only path prefixes (/_fault/..., /_version/..., /_size/...,
# /_assocpage/..., /_run/... and any later one): segment pairs before
# /crm/..., each a name starting with "_" (no HubSpot path does) and a value.

# Limits the specs state in prose only (or not at all), with their sources.
# hubspot-api.md is ../shared/hubspot-api.md, the project's API reference.
LIMITS = {
    # hubspot-api.md, "Listing objects": "limit: page size, at most 100".
    "list_limit": 100,
    # Spec, PublicObjectSearchRequest.limit: "up to 200 objects".
    "search_limit": 200,
    # hubspot-api.md, "Searching": the docs disagree (5 groups x 6 or x 10
    # filters, 18 or 25 in all): "stay within 5 groups, 6 filters each".
    # The spec's prose says "Up to 6 groups"; the stricter figures hold.
    "search_groups": 5,
    "search_filters_per_group": 6,
    "search_filters": 18,
    # hubspot-api.md: "Only one sort rule is allowed".
    "search_sorts": 1,
    # Spec, PublicObjectSearchRequest.query: "up to 3000 characters".
    "search_query_chars": 3000,
    # hubspot-api.md, "Associations (v4)": "up to 1,000 ids".
    "batch_inputs": 1000,
    # hubspot-api.md: requests past roughly 8,000 characters fail with 414.
    "url_chars": 8000,
}

# Endpoints ../shared/hubspot-openapi lacks (its README lists what it
# holds: objects, search, properties, associations v4): method, path
# pattern, and the query parameters allowed with a check of each value.
# Sources: hubspot-api.md ("Pipelines and owners", "Properties and
# schemas"), HubSpot's v3 associations guide (GET .../types lists the
# association types), HubSpot's pipelines guide (pipelines exist for deals,
# tickets and custom objects) and its custom object schemas reference.
ALLOWED = [
    ("GET", r"/crm/v3/pipelines/deals", {}),
    # Ticket pipelines (HubSpot's default support pipeline "0"), by name or
    # by type id.
    ("GET", r"/crm/v3/pipelines/(tickets|0-5)", {}),
    # A custom object's pipelines, by its type id (2-<number>) or its fully
    # qualified name (p<portal id>_<name>), the two names HubSpot accepts.
    ("GET", r"/crm/v3/pipelines/(2-[0-9]+|p[0-9]+_[a-z0-9_]+)", {}),
    # The custom object schemas (scope crm.schemas.custom.read): archived
    # true lists the archived ones, false (the default) the live ones.
    ("GET", r"/crm/v3/schemas", {"archived": lambda v: v in ("true", "false")}),
    ("GET", r"/crm/v3/owners", {
        "limit": lambda v: v.isdigit() and 1 <= int(v) <= 500,
        "after": lambda v: v != "",
        "archived": lambda v: v in ("true", "false"),
        "email": lambda v: True}),
    ("GET", r"/crm/v3/associations/[^/]+/[^/]+/types", {}),
]


class Spec:
    """The operations of the spec files, by method and path template."""

    def __init__(self, spec_dir):
        self.ops = []
        for name in SPEC_FILES:
            with open(os.path.join(spec_dir, name), encoding="utf-8") as f:
                doc = json.load(f)
            for template, item in doc["paths"].items():
                shared = item.get("parameters", [])
                pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$")
                for method, op in item.items():
                    if method == "parameters":
                        continue
                    self.ops.append((method.upper(), pattern, template, name, doc,
                                     shared + op.get("parameters", []), op))

    def matching(self, method, path):
        """Every operation whose template matches path: (method matches?, op...)."""
        return [o for o in self.ops if o[1].match(path)]


def resolve(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"external $ref {ref}")
        node = doc
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def check_value(doc, schema, value, where, problems):
    """value against a JSON schema of the spec (the parts the specs use)."""
    schema = resolve(doc, schema)
    t = schema.get("type")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} is not one of {schema['enum']}")
        return
    if t == "object" or (t is None and "properties" in schema):
        if not isinstance(value, dict):
            problems.append(f"{where}: expected an object, got {type(value).__name__}")
            return
        props = schema.get("properties", {})
        for req in schema.get("required", []):
            if req not in value:
                problems.append(f"{where}: required field {req!r} missing")
        for k, v in value.items():
            if k not in props:
                if schema.get("additionalProperties") not in (None, False):
                    continue
                problems.append(f"{where}: field {k!r} is not in the spec")
                continue
            check_value(doc, props[k], v, f"{where}.{k}", problems)
    elif t == "array":
        if not isinstance(value, list):
            problems.append(f"{where}: expected an array, got {type(value).__name__}")
            return
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(f"{where}: {len(value)} items, at most {schema['maxItems']}")
        for n, v in enumerate(value):
            check_value(doc, schema.get("items", {}), v, f"{where}[{n}]", problems)
    elif t == "string":
        if not isinstance(value, str):
            problems.append(f"{where}: expected a string, got {json.dumps(value)}")
        elif "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{where}: longer than {schema['maxLength']} characters")
    elif t == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{where}: expected an integer, got {json.dumps(value)}")
        else:
            if "maximum" in schema and value > schema["maximum"]:
                problems.append(f"{where}: {value} is above {schema['maximum']}")
            if "minimum" in schema and value < schema["minimum"]:
                problems.append(f"{where}: {value} is below {schema['minimum']}")
    elif t == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{where}: expected a boolean, got {json.dumps(value)}")


def check_query_value(schema, name, value, problems):
    t = schema.get("type")
    if t == "integer":
        if not re.fullmatch(r"-?\d+", value) or not -2 ** 31 <= int(value) < 2 ** 31:
            problems.append(f"query {name}={value!r}: not an int32")
    elif t == "boolean":
        if value not in ("true", "false"):
            problems.append(f"query {name}={value!r}: not true or false")
    elif t == "array":
        if any(item == "" for item in value.split(",")):
            problems.append(f"query {name}={value!r}: an empty item")
    elif "enum" in schema and value not in schema["enum"]:
        problems.append(f"query {name}={value!r}: not one of {schema['enum']}")


def check_search(body, problems):
    """What the spec's schema leaves to prose, or types loosely: limits, sorts."""
    if not isinstance(body, dict):
        return
    limit = body.get("limit")
    if isinstance(limit, int) and not 0 <= limit <= LIMITS["search_limit"]:
        problems.append(f"body.limit: {limit}, at most {LIMITS['search_limit']}")
    groups = body.get("filterGroups") if isinstance(body.get("filterGroups"), list) else []
    if len(groups) > LIMITS["search_groups"]:
        problems.append(f"body.filterGroups: {len(groups)} groups, at most {LIMITS['search_groups']}")
    total = 0
    for n, g in enumerate(groups):
        filters = g.get("filters") if isinstance(g, dict) and isinstance(g.get("filters"), list) else []
        total += len(filters)
        if len(filters) > LIMITS["search_filters_per_group"]:
            problems.append(f"body.filterGroups[{n}]: {len(filters)} filters, at most "
                            f"{LIMITS['search_filters_per_group']}")
        for k, f in enumerate(filters):
            op = f.get("operator") if isinstance(f, dict) else None
            if op == "BETWEEN" and "highValue" not in f:
                problems.append(f"body.filterGroups[{n}].filters[{k}]: BETWEEN without highValue")
            if op in ("IN", "NOT_IN") and "values" not in f:
                problems.append(f"body.filterGroups[{n}].filters[{k}]: {op} without values")
            if op in ("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN") and "value" not in f:
                problems.append(f"body.filterGroups[{n}].filters[{k}]: {op} without value")
    if total > LIMITS["search_filters"]:
        problems.append(f"body.filterGroups: {total} filters in all, at most {LIMITS['search_filters']}")
    after = body.get("after")
    if isinstance(after, str) and not re.fullmatch(r"\d*", after):
        problems.append(f"body.after: {after!r} is not an offset")
    if isinstance(body.get("query"), str) and len(body["query"]) > LIMITS["search_query_chars"]:
        problems.append("body.query: too long")


def check_sorts(body, problems):
    """The spec types sorts items as strings; HubSpot's docs send objects
    {propertyName, direction} (the specs' README lists this gap): either."""
    sorts = body.get("sorts") if isinstance(body, dict) else None
    if not isinstance(sorts, list):
        return sorts
    if len(sorts) > LIMITS["search_sorts"]:
        problems.append(f"body.sorts: {len(sorts)} sorts, at most {LIMITS['search_sorts']}")
    for n, s in enumerate(sorts):
        if isinstance(s, str):
            continue
        if (not isinstance(s, dict) or not isinstance(s.get("propertyName"), str)
                or s.get("direction", "ASCENDING") not in ("ASCENDING", "DESCENDING")
                or set(s) - {"propertyName", "direction"}):
            problems.append(f"body.sorts[{n}]: {json.dumps(s)} is neither a string nor "
                            "{propertyName, direction}")
    return sorts


def strip_test_parts(path):
    """The request's path as HubSpot would see it, or None for the mock's own."""
    parts = urlsplit(path)
    segs = parts.path.split("/")[1:]
    if segs and segs[0] == "_mock":
        return None, None
    while len(segs) >= 2 and segs[0].startswith("_"):
        segs = segs[2:]
    return "/" + "/".join(segs), parts.query


def check_request(spec, method, raw_path, body):
    """The problems of one request (an empty list: it keeps the contract)."""
    problems = []
    path, query = strip_test_parts(raw_path)
    if path is None:
        return None
    if len(raw_path) > LIMITS["url_chars"]:
        problems.append(f"URL of {len(raw_path)} characters, HubSpot answers 414 past "
                        f"{LIMITS['url_chars']}")
    pairs = parse_qsl(query, keep_blank_values=True)
    for m, pattern, params in ALLOWED:
        if re.fullmatch(pattern, path):
            if method != m:
                problems.append(f"{method} is not allowed on {path}")
            for k, v in pairs:
                if k not in params:
                    problems.append(f"query parameter {k!r} is not allowed on {path}")
                elif not params[k](v):
                    problems.append(f"query {k}={v!r}: not allowed on {path}")
            if body is not None:
                problems.append(f"{path} takes no body")
            return problems
    ops = spec.matching(method, path)
    if not ops:
        return [f"no operation of the specs has the path {path}"]
    ops = [o for o in ops if o[0] == method]
    if not ops:
        return [f"{method} is not an operation of {path} in the specs"]
    for _, _, template, name, doc, params, op in ops:
        declared = {}
        for p in params:
            p = resolve(doc, p)
            if p.get("in") == "query":
                declared[p["name"]] = resolve(doc, p.get("schema", {}))
        seen = set()
        for k, v in pairs:
            if k not in declared:
                problems.append(f"query parameter {k!r} is not in {name} {method} {template}")
                continue
            if k in seen and declared[k].get("type") != "array":
                problems.append(f"query parameter {k!r} given twice")
            seen.add(k)
            check_query_value(declared[k], k, v, problems)
        if template.startswith("/crm/v3/objects/") and method == "GET" and "limit" in seen:
            limit = dict(pairs)["limit"]
            if limit.isdigit() and not 1 <= int(limit) <= LIMITS["list_limit"]:
                problems.append(f"query limit={limit}: at most {LIMITS['list_limit']}")
        rb = resolve(doc, op.get("requestBody", {}))
        schema = rb.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            if body is not None:
                problems.append(f"{method} {template} takes no body")
            continue
        if body is None:
            if rb.get("required"):
                problems.append(f"{method} {template} needs a JSON body")
            continue
        if template.endswith("/search"):
            sorts = check_sorts(body, problems)
            body = dict(body, sorts=[]) if isinstance(sorts, list) else body
            check_search(body, problems)
        if template.endswith("/batch/read") and isinstance(body, dict):
            inputs = body.get("inputs")
            if isinstance(inputs, list) and len(inputs) > LIMITS["batch_inputs"]:
                problems.append(f"body.inputs: {len(inputs)} inputs, at most {LIMITS['batch_inputs']}")
        check_value(doc, schema, body, "body", problems)
    return sorted(set(problems))


def check_logs(spec, logs):
    """(requests checked, {problem: [example requests]})."""
    checked, failures = 0, {}
    for log in logs:
        with open(log, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                try:
                    req = json.loads(line)
                except ValueError:
                    failures.setdefault("an unreadable log line", []).append(f"{log}:{n}")
                    continue
                body = req.get("body")
                if body is None and req.get("body_raw"):
                    failures.setdefault("a body that is not JSON", []).append(req["path"])
                    continue
                problems = check_request(spec, req["method"], req["path"], body)
                if problems is None:
                    continue
                checked += 1
                for p in problems:
                    failures.setdefault(p, []).append(f"{req['method']} {req['path'][:200]}")
    return checked, failures


# Requests the contract must refuse, each for one reason, and one it keeps.
SELF_TEST_BAD = [
    ("GET", "/crm/v3/objects/contacts?limit=101", None),
    ("GET", "/crm/v3/objects/contacts?limit=ten", None),
    ("GET", "/crm/v3/objects/contacts?archived=yes", None),
    ("GET", "/crm/v3/objects/contacts?sort=id", None),
    ("DELETE", "/crm/v3/objects/contacts", None),
    ("PATCH", "/crm/v3/properties/deals", None),
    ("GET", "/crm/v2/contacts", None),
    ("GET", "/crm/v3/owners?limit=1000", None),
    ("POST", "/crm/v3/objects/deals/search",
     {"filterGroups": [], "sorts": [], "limit": 201, "after": "0", "properties": []}),
    ("POST", "/crm/v3/objects/deals/search",
     {"filterGroups": [], "sorts": [], "limit": 10, "properties": []}),
    ("POST", "/crm/v3/objects/deals/search",
     {"filterGroups": [{"filters": [{"propertyName": "amount", "value": "1"}]}],
      "sorts": [], "limit": 10, "after": "0", "properties": []}),
    ("POST", "/crm/v3/objects/deals/search",
     {"filterGroups": [{"filters": [{"propertyName": "amount", "operator": "GT", "value": 1}]}],
      "sorts": [], "limit": 10, "after": "0", "properties": []}),
    ("POST", "/crm/v3/objects/deals/search",
     {"filterGroups": [], "sorts": [{"propertyName": "a"}, {"propertyName": "b"}],
      "limit": 10, "after": "0", "properties": []}),
    ("POST", "/crm/v3/objects/deals/search",
     {"filterGroups": [{"filters": []}] * 6, "sorts": [], "limit": 10, "after": "0",
      "properties": []}),
    ("POST", "/crm/v4/associations/contacts/deals/batch/read",
     {"inputs": [{"id": str(i)} for i in range(1001)]}),
    ("POST", "/crm/v4/associations/contacts/deals/batch/read", {"inputs": [{"id": 512}]}),
    ("POST", "/crm/v4/associations/contacts/deals/batch/read", {"ids": ["512"]}),
    ("GET", "/crm/v3/schemas?archived=yes", None),
    ("GET", "/crm/v3/schemas?limit=10", None),
    ("POST", "/crm/v3/schemas", None),
    ("GET", "/crm/v3/pipelines/cars", None),
]
SELF_TEST_GOOD = [
    ("GET", "/_fault/500*2/_run/x/crm/v3/objects/contacts?limit=100&archived=false"
            "&properties=email,phone&associations=deals,calls&after=NTI1Cg%3D%3D", None),
    ("POST", "/crm/v3/objects/calls/search",
     {"filterGroups": [{"filters": [{"propertyName": "hs_object_id", "operator": "LT",
                                     "value": "123"}]}],
      "sorts": [{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
      "limit": 200, "after": "0", "properties": ["hs_call_duration"]}),
    ("POST", "/crm/v4/associations/contacts/deals/batch/read",
     {"inputs": [{"id": "512"}, {"id": "513", "after": "500"}]}),
    ("GET", "/crm/v3/properties/deals", None),
    ("GET", "/crm/v3/owners?limit=100&archived=true", None),
    ("GET", "/crm/v3/schemas", None),
    ("GET", "/_fault/schemas.403/crm/v3/schemas?archived=false", None),
    ("GET", "/crm/v3/pipelines/tickets", None),
    ("GET", "/crm/v3/pipelines/2-7654321", None),
    ("GET", "/crm/v3/objects/p146987325_cars?limit=100&properties=model,year"
            "&associations=contacts,deals&archived=true", None),
    ("POST", "/crm/v4/associations/companies/contacts/batch/read", {"inputs": [{"id": "20000"}]}),
    ("GET", "/_mock/stats", None),
]


def self_test(spec):
    missed = [r for r in SELF_TEST_BAD if not check_request(spec, *r)]
    refused = [(r, check_request(spec, *r)) for r in SELF_TEST_GOOD if check_request(spec, *r)]
    for r in missed:
        print(f"contract self-test: not caught: {r[0]} {r[1]} {json.dumps(r[2])[:120]}")
    for r, problems in refused:
        print(f"contract self-test: refused a good request: {r[0]} {r[1]}: {problems}")
    return not missed and not refused


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("logs", nargs="*", help="mock --request-log files")
    ap.add_argument("--self-test", action="store_true",
                    help="check that known-bad requests are refused, and stop")
    ap.add_argument("--spec-dir", default=SPEC_DIR)
    opts = ap.parse_args()
    label = "test contract                     ..."
    if not os.path.isdir(opts.spec_dir):
        print(f"{label} skipped ({opts.spec_dir} not found: HubSpot's specs are not in the repository)")
        return 0
    spec = Spec(opts.spec_dir)
    if not self_test(spec):
        print(f"{label} FAILED (its self-test)")
        return 1
    if opts.self_test:
        print(f"contract self-test: {len(SELF_TEST_BAD)} bad requests refused, "
              f"{len(SELF_TEST_GOOD)} good ones kept")
        return 0
    logs = [log for log in opts.logs if os.path.exists(log)]
    if not logs:
        print(f"{label} FAILED (no request log: {' '.join(opts.logs) or 'none given'})")
        return 1
    checked, failures = check_logs(spec, logs)
    print(f"contract: {checked} requests checked against {len(SPEC_FILES)} spec files "
          f"(self-test: {len(SELF_TEST_BAD)} bad requests refused)")
    if checked == 0:
        print(f"{label} FAILED (no request to check)")
        return 1
    for problem, examples in sorted(failures.items(), key=lambda kv: -len(kv[1])):
        print(f"contract: {len(examples)} x {problem}; e.g. {examples[0]}")
    if failures:
        print(f"{label} FAILED")
        return 1
    print(f"{label} ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
