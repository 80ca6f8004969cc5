// The dashboard in a real browser (Debian's chromium) over the data set of
// fixture.sql.  Expected values are read from the SQL functions in the
// test, for the window the page says it shows: the page must show what
// hubspot_metrics() returns, formatted, and nothing else.
import { createServer } from "node:net";
import { expect, test, type Page } from "@playwright/test";
import type { Client } from "pg";
import { NULL_TEXT, formatValue } from "../../lib/format";
import { nullReason } from "../../lib/metric-meta";
import { TEST_DB, asReader, metrics, pageWindow, startApp, superuser } from "./helpers";

let db: Client;
test.beforeAll(async () => { db = await superuser(); });
test.afterAll(async () => { await db.end(); });

/** Every card equals hubspot_metrics() over the page's window. */
async function expectCardsMatchSql(page: Page) {
  const w = await pageWindow(page);
  const rows = await metrics(db, w.start, w.end);
  expect(rows.length).toBe(26);
  await expect(page.locator("[data-metric]")).toHaveCount(rows.length);
  for (const r of rows) {
    const card = page.locator(`[data-metric="${r.name}"]`);
    await expect(card, r.name).toHaveAttribute("data-value", r.value ?? "");
    await expect(card, r.name).toHaveAttribute("data-unit", r.unit);
    const shown = card.locator('[data-slot="metric-value"]');
    if (r.value === null) {
      await expect(shown, r.name).toHaveText(NULL_TEXT);
      await expect(card.locator('[data-slot="metric-null-reason"]'), r.name).toHaveText(nullReason(r.name));
    } else {
      await expect(shown, r.name).toHaveText(formatValue(r.value, r.unit));
    }
  }
  return { window: w, rows };
}

const value = (rows: { name: string; value: string | null }[], name: string) => rows.find((r) => r.name === name)?.value;

test("the cards show exactly what hubspot_metrics() returns for the last 30 days", async ({ page }) => {
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  const today = (await db.query<{ d: string }>("SELECT current_date::text AS d")).rows[0].d;
  const { window, rows } = await expectCardsMatchSql(page);
  expect(window.end).toBe((await db.query("SELECT ($1::date + 1)::text AS d", [today])).rows[0].d);
  expect(window.start).toBe((await db.query("SELECT ($1::date - 29)::text AS d", [today])).rows[0].d);
  // The fixture has something of everything in the last 30 days.
  for (const n of ["new_contacts", "total_deals", "deals_won", "total_calls"]) expect(Number(value(rows, n))).toBeGreaterThan(0);
  await expect(page.getByRole("link", { name: "Last 30 days" })).toHaveAttribute("aria-current", "page");
});

test("a card's definition shows on hover and on keyboard focus", async ({ page }) => {
  await page.goto("/?range=90d");
  const rows = await metrics(db, (await pageWindow(page)).start, (await pageWindow(page)).end);
  const winRate = rows.find((r) => r.name === "win_rate")!;
  await page.locator('[data-metric="win_rate"]').hover();
  await expect(page.getByRole("tooltip")).toHaveText(winRate.description);
  await page.keyboard.press("Escape");
  await expect(page.getByRole("tooltip")).toHaveCount(0);
  const sales = rows.find((r) => r.name === "total_sales")!;
  await page.locator('[data-metric="total_sales"]').focus();
  await expect(page.getByRole("tooltip")).toHaveText(sales.description);
});

test("changing the range changes the cards, and the URL keeps it", async ({ page }) => {
  await page.goto("/");
  const thirty = await expectCardsMatchSql(page);
  await page.getByRole("link", { name: "Last 7 days" }).click();
  await expect(page).toHaveURL(/[?&]range=7d/);
  const seven = await expectCardsMatchSql(page);
  expect(seven.window.start).not.toBe(thirty.window.start);
  expect(value(seven.rows, "new_contacts")).not.toBe(value(thirty.rows, "new_contacts"));

  // A custom range through the form, then the same URL opened again.
  await page.getByLabel("From", { exact: true }).fill(thirty.window.start);
  await page.getByLabel("To", { exact: true }).fill(seven.window.start);
  await page.getByRole("button", { name: "Apply" }).first().click();
  await expect(page).toHaveURL(new RegExp(`range=custom&from=${thirty.window.start}&to=${seven.window.start}`));
  const custom = await expectCardsMatchSql(page);
  expect(custom.window).toMatchObject({ start: thirty.window.start,
    end: (await db.query("SELECT ($1::date + 1)::text AS d", [seven.window.start])).rows[0].d });
  await page.goto(page.url());
  await expectCardsMatchSql(page);

  for (const range of ["90d", "month", "last-month"]) {
    await page.goto(`/?range=${range}`);
    await expectCardsMatchSql(page);
  }
});

test("NULL is an em dash with its reason; an empty period says where the data is", async ({ page }) => {
  await page.goto("/?range=custom&from=2020-01-01&to=2020-01-31");
  const { rows } = await expectCardsMatchSql(page);
  expect(value(rows, "win_rate")).toBeNull();
  await expect(page.locator('[data-metric="win_rate"] [data-slot="metric-value"]')).toHaveText("—");
  await expect(page.locator('[data-metric="win_rate"]')).toContainText("no deals won or lost in this period");
  await expect(page.locator('[data-metric="new_contacts"] [data-slot="metric-value"]')).toHaveText("0");
  await expect(page.getByTestId("empty-range")).toBeVisible();
  await page.getByRole("link", { name: "show its last 90 days" }).click();
  await expect(page).toHaveURL(/range=custom/);
  const { rows: after } = await expectCardsMatchSql(page);
  expect(Number(value(after, "new_contacts"))).toBeGreaterThan(0);
});

test("the stage chart has one bar per stage, with the deals of hubspot_metrics_by_deal_stage()", async ({ page }) => {
  await page.goto("/?range=90d");
  const w = await pageWindow(page);
  const stages = (await db.query<{ dealstage: string; deals: string }>(
    "SELECT dealstage, deals FROM hubspot_metrics_by_deal_stage($1::date::timestamptz, $2::date::timestamptz)",
    [w.start, w.end])).rows;
  expect(stages.length).toBeGreaterThan(3);
  const bars = page.locator('[data-chart="deal-stages"] rect[data-bar]');
  await expect(bars).toHaveCount(stages.length);
  const drawn = await bars.evaluateAll((els) => els.map((e) => ({
    stage: e.getAttribute("data-bar"), value: e.getAttribute("data-value"), length: Number(e.getAttribute("width")),
  })));
  expect(drawn.map((b) => [b.stage, b.value])).toEqual(stages.map((s) => [s.dealstage, s.deals]));
  // Lengths (horizontal bars) in proportion to the deals.
  const maxDeals = Math.max(...stages.map((s) => Number(s.deals)));
  const maxLength = Math.max(...drawn.map((b) => b.length));
  for (const b of drawn) expect(Math.abs(b.length / maxLength - Number(b.value) / maxDeals)).toBeLessThan(0.02);

  // The same numbers as a table, for screen readers and copying.
  await page.locator('[data-chart="deal-stages"]').getByRole("button", { name: "Table" }).click();
  const cells = page.locator('[data-chart="deal-stages"] tbody tr');
  await expect(cells).toHaveCount(stages.length);
  for (let i = 0; i < stages.length; i++) {
    await expect(cells.nth(i).locator("td").first()).toHaveText(stages[i].dealstage);
    await expect(cells.nth(i).locator("td").nth(2)).toHaveText(stages[i].deals);
  }
});

test("every chart's numbers are in a table", async ({ page }) => {
  await page.goto("/?range=90d");
  for (const id of ["deal-stages", "weekly-trend", "weekly-contacts", "script-versions", "payment-status", "call-direction", "calls-weekly", "follow-up"]) {
    const card = page.locator(`[data-chart="${id}"]`);
    await expect(card, id).toHaveCount(1);
    expect(await card.locator("tbody tr").count(), id).toBeGreaterThan(0);
  }
  const w = await pageWindow(page);
  const weeks = (await db.query("SELECT * FROM hubspot_metrics_by_week($1::date::timestamptz, $2::date::timestamptz)", [w.start, w.end])).rows;
  await expect(page.locator('[data-chart="weekly-trend"] tbody tr')).toHaveCount(weeks.length);
});

test("the sync panel shows the failed deals run as failed, and stale calls", async ({ page }) => {
  await page.goto("/");
  const status = (await db.query("SELECT object_type, last_status, last_error FROM hubspot_sync_status")).rows;
  const deals = status.find((s) => s.object_type === "deals")!;
  expect(deals.last_status).toBe("failed");
  const row = page.getByTestId("sync-panel").locator('tr[data-object-type="deals"]');
  await expect(row).toHaveAttribute("data-health", "failed");
  await expect(row).toContainText("failed");
  await expect(row.locator('[data-slot="sync-error"]')).toHaveText(deals.last_error);
  await expect(page.getByTestId("sync-panel").locator('tr[data-object-type="calls"]')).toHaveAttribute("data-health", "stale");
  await expect(page.getByTestId("sync-panel").locator('tr[data-object-type="contacts"]')).toHaveAttribute("data-health", "ok");
  // At first glance: the strip at the top and the alert.
  await expect(page.getByTestId("sync-strip").locator('[data-object-type="deals"]')).toHaveAttribute("data-health", "failed");
  await expect(page.getByTestId("sync-alert")).toContainText("Deals sync failed");
  await expect(page.getByTestId("sync-alert")).toContainText("Calls are stale");
  await expect(page.getByTestId("sync-strip")).toContainText("API requests left today: 249,321");
});

test("the dashboard's role can read the metrics but not sync, the token or the contacts", async () => {
  const reader = await asReader();
  try {
    expect((await reader.query("SELECT * FROM hubspot_metrics()")).rows.length).toBe(26);
    expect((await reader.query("SELECT * FROM hubspot_sync_status")).rows.length).toBe(3);
    const denied = async (sql: string) => {
      await expect(reader.query(sql), sql).rejects.toMatchObject({ code: "42501" });
    };
    await denied("SELECT * FROM hubspot_sync_all()");
    await denied("SELECT * FROM hubspot_sync('contacts')");
    await denied("CALL hubspot_run_sync()");
    await denied("SELECT hubspot_metrics_rebuild()");
    await denied("SELECT current_setting('hubspot_sync.access_token')");
    await denied("SELECT email FROM hubspot_contacts_raw");
    await denied("SELECT raw_json FROM hubspot_deals_raw");
    await denied("SELECT * FROM hubspot_calls_with_contacts");
    await denied("SELECT * FROM hubspot_sync_runs");
    await denied("SELECT * FROM hubspot_sync_state");
    await denied("DELETE FROM hubspot_deal_stage_outcomes");
  } finally {
    await reader.end();
  }
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

test("the database down gives the error page with status 500, no stack trace", async ({ page }) => {
  const nothing = await freePort();
  const port = await freePort();
  const stop = await startApp(port, { DATABASE_URL: `postgresql://nobody:x@127.0.0.1:${nothing}/nowhere` });
  try {
    const response = await page.goto(`http://127.0.0.1:${port}/`);
    expect(response?.status()).toBe(500);
    await expect(page.getByTestId("error-page")).toHaveAttribute("data-error-code", "db-unreachable");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("The database cannot be reached");
    const body = await page.locator("body").innerText();
    expect(body).not.toMatch(/ECONNREFUSED|\n\s*at .+:\d+:\d+|node_modules/);
  } finally {
    await stop();
  }
});

test("a database without the extension, and one without data, say so", async ({ page }) => {
  const url = new URL(process.env.DASHBOARD_DATABASE_URL!);
  const port = await freePort();
  url.pathname = `/${TEST_DB}_noext`;
  let stop = await startApp(port, { DATABASE_URL: url.toString() });
  try {
    const response = await page.goto(`http://127.0.0.1:${port}/`);
    expect(response?.status()).toBe(500);
    await expect(page.getByTestId("error-page")).toHaveAttribute("data-error-code", "extension-missing");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("hubspot_sync is not installed in this database");
  } finally {
    await stop();
  }
  url.pathname = `/${TEST_DB}_empty`;
  stop = await startApp(port, { DATABASE_URL: url.toString() });
  try {
    const response = await page.goto(`http://127.0.0.1:${port}/`);
    expect(response?.status()).toBe(200);
    await expect(page.getByTestId("empty-database")).toContainText("no HubSpot data in this database yet");
    await expect(page.locator('[data-metric="new_contacts"] [data-slot="metric-value"]')).toHaveText("0");
    await expect(page.getByTestId("sync-strip").locator('[data-object-type][data-health="never"]')).toHaveCount(3);
  } finally {
    await stop();
  }
});

test("screenshots at laptop and phone widths, nothing wider than the phone", async ({ page }) => {
  await page.goto("/?range=90d");
  await page.locator('[data-chart="deal-stages"] rect[data-bar]').first().waitFor();
  await page.screenshot({ path: "test-results/dashboard.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/?range=90d");
  await page.locator('[data-chart="deal-stages"] rect[data-bar]').first().waitFor();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: "test-results/dashboard-phone.png", fullPage: true });
});
