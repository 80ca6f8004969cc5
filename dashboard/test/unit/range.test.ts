// The date range from the URL: presets relative to today, a custom range
// with both days included, the previous period of the same length.
import { test } from "node:test";
import assert from "node:assert/strict";
import { addDays, daysBetween, formatDay, parseDate, rangeHref, resolveRange } from "../../lib/range";

const today = "2026-03-09";

test("the presets end tomorrow (today is included) and the previous period is as long", () => {
  const r7 = resolveRange({ range: "7d" }, today);
  assert.equal(r7.from, "2026-03-03");
  assert.equal(r7.to, "2026-03-10");
  assert.equal(r7.lastDay, today);
  assert.equal(r7.days, 7);
  assert.equal(r7.prevFrom, "2026-02-24");
  assert.equal(r7.prevTo, "2026-03-03");
  assert.equal(resolveRange({ range: "30d" }, today).from, "2026-02-08");
  assert.equal(resolveRange({ range: "90d" }, today).days, 90);
});

test("no range means the last 30 days", () => {
  const r = resolveRange({}, today);
  assert.equal(r.key, "30d");
  assert.equal(r.days, 30);
  assert.equal(r.error, undefined);
});

test("this month runs to today; last month is the whole calendar month", () => {
  const m = resolveRange({ range: "month" }, today);
  assert.deepEqual([m.from, m.to, m.days, m.prevFrom], ["2026-03-01", "2026-03-10", 9, "2026-02-20"]);
  const lm = resolveRange({ range: "last-month" }, today);
  assert.deepEqual([lm.from, lm.to, lm.lastDay, lm.days], ["2026-02-01", "2026-03-01", "2026-02-28", 28]);
  const jan = resolveRange({ range: "last-month" }, "2026-01-15");
  assert.deepEqual([jan.from, jan.to], ["2025-12-01", "2026-01-01"]);
});

test("a custom range includes both days", () => {
  const r = resolveRange({ range: "custom", from: "2024-01-01", to: "2024-01-31" }, today);
  assert.deepEqual([r.key, r.from, r.to, r.lastDay, r.days], ["custom", "2024-01-01", "2024-02-01", "2024-01-31", 31]);
  assert.deepEqual([r.prevFrom, r.prevTo], ["2023-12-01", "2024-01-01"]);
  assert.equal(r.label, "1 Jan 2024 – 31 Jan 2024");
  assert.equal(resolveRange({ from: "2024-02-28", to: "2024-03-01" }, today).days, 3);
  assert.equal(resolveRange({ range: "custom", from: "2024-05-05", to: "2024-05-05" }, today).days, 1);
});

test("a range that cannot be used falls back to 30 days and says why", () => {
  for (const p of [{ range: "custom", from: "2024-02-30", to: "2024-03-01" },
                   { range: "custom", from: "2024-03-01" },
                   { range: "custom", from: "2024-03-01", to: "2024-02-01" },
                   { range: "custom", from: "1990-01-01", to: "2024-01-01" },
                   { range: "yesterday" }]) {
    const r = resolveRange(p, today);
    assert.equal(r.key, "30d", JSON.stringify(p));
    assert.ok(r.error, JSON.stringify(p));
  }
});

test("dates: parsing, arithmetic across months and leap days, display", () => {
  assert.equal(parseDate("2024-02-29"), "2024-02-29");
  assert.equal(parseDate("2023-02-29"), null);
  assert.equal(parseDate("2024-2-1"), null);
  assert.equal(parseDate("yesterday"), null);
  assert.equal(parseDate(undefined), null);
  assert.equal(addDays("2024-02-28", 1), "2024-02-29");
  assert.equal(addDays("2024-03-01", -1), "2024-02-29");
  assert.equal(addDays("2025-12-31", 1), "2026-01-01");
  assert.equal(daysBetween("2024-03-30", "2024-04-02"), 3);
  assert.equal(formatDay("2026-03-09"), "9 Mar 2026");
});

test("the links keep the other parameters", () => {
  assert.equal(rangeHref("7d"), "?range=7d");
  assert.equal(rangeHref("7d", { pipeline: "default" }), "?range=7d&pipeline=default");
  assert.equal(rangeHref("custom", {}, { from: "2024-01-01", to: "2024-01-31" }), "?range=custom&from=2024-01-01&to=2024-01-31");
});
