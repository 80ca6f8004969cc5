// A sync's health from its hubspot_sync_status row.
import { test } from "node:test";
import assert from "node:assert/strict";
import { staleAfterSeconds, syncHealth } from "../../lib/sync-health";
import { classifyPgError, codeFromDigest, DashboardError } from "../../lib/errors";

const hour = 3600;

test("failed and aborted runs are failed, whatever the staleness", () => {
  assert.equal(syncHealth({ last_run_id: "5", last_status: "failed", staleness_s: "60" }, 2 * hour), "failed");
  assert.equal(syncHealth({ last_run_id: "5", last_status: "aborted", staleness_s: null }, 2 * hour), "failed");
});

test("no run at all is never synced; an old success is stale", () => {
  assert.equal(syncHealth({ last_run_id: null, last_status: null, staleness_s: null }, 2 * hour), "never");
  assert.equal(syncHealth({ last_run_id: "1", last_status: "succeeded", staleness_s: String(3 * hour) }, 2 * hour), "stale");
  assert.equal(syncHealth({ last_run_id: "1", last_status: "succeeded", staleness_s: String(hour) }, 2 * hour), "ok");
  assert.equal(syncHealth({ last_run_id: "1", last_status: "running", staleness_s: String(hour) }, 2 * hour), "running");
});

test("the stale threshold comes from the environment, 120 minutes by default", () => {
  assert.equal(staleAfterSeconds(undefined), 7200);
  assert.equal(staleAfterSeconds("30"), 1800);
  assert.equal(staleAfterSeconds("junk"), 7200);
});

test("database errors map to the error page's codes; only the code is in the digest", () => {
  assert.equal(classifyPgError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:5432" }), "db-unreachable");
  assert.equal(classifyPgError({ code: "57P03", message: "the database system is starting up" }), "db-unreachable");
  assert.equal(classifyPgError({ code: "28P01" }), "db-auth");
  assert.equal(classifyPgError({ code: "3D000" }), "db-missing");
  assert.equal(classifyPgError({ code: "42501" }), "permission");
  assert.equal(classifyPgError({ message: "timeout expired" }), "db-unreachable");
  assert.equal(classifyPgError(new Error("boom")), "query-failed");
  const e = new DashboardError("extension-missing", new Error("secret host name"));
  assert.equal(e.digest, "HUBSPOT_DASHBOARD:extension-missing");
  assert.equal(codeFromDigest(e.digest), "extension-missing");
  assert.equal(codeFromDigest("1234567"), null);
  assert.equal(codeFromDigest(undefined), null);
});
