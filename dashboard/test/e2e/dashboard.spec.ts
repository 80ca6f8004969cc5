// The dashboard in a real browser (Debian's chromium) over the data set of
// fixture.sql.  Expected values are read from the SQL functions in the
// test, for the window the page says it shows: the page must show what
// hubspot_metrics() returns, formatted, and nothing else.
import { createServer } from "node:net";
import { expect, test, type Page } from "@playwright/test";
import type { Client } from "pg";
import { NULL_TEXT, formatCurrency, formatNumber, formatValue } from "../../lib/format";
import { nullReason } from "../../lib/metric-meta";
import { METRIC_COUNT, TEST_DB, asReader, metrics, pageWindow, startApp, superuser } from "./helpers";

let db: Client;
test.beforeAll(async () => { db = await superuser(); });
test.afterAll(async () => { await db.end(); });

/** Every card equals hubspot_metrics() over the page's window (and pipeline). */
async function expectCardsMatchSql(page: Page, pipeline: string | null = null) {
  const w = await pageWindow(page);
  await expect(page.locator("main")).toHaveAttribute("data-pipeline", pipeline ?? "");
  const rows = await metrics(db, w.start, w.end, pipeline);
  expect(rows.length).toBe(METRIC_COUNT);
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

interface StageRow { pipeline_id: string | null; pipeline_label: string | null; dealstage: string;
                   stage_label: string | null; deals: string }

async function stageRows(w: { start: string; end: string }, pipeline: string | null = null): Promise<StageRow[]> {
  return (await db.query<StageRow>(
    `SELECT pipeline_id, pipeline_label, dealstage, stage_label, deals
       FROM hubspot_metrics_by_deal_stage($1::date::timestamptz, $2::date::timestamptz, $3)`,
    [w.start, w.end, pipeline])).rows;
}

test("the stage chart has one bar per stage, with the deals of hubspot_metrics_by_deal_stage() and the stages' labels", async ({ page }) => {
  await page.goto("/?range=90d");
  const w = await pageWindow(page);
  const stages = await stageRows(w);
  expect(stages.length).toBeGreaterThan(3);
  // Both pipelines, every stage labelled (the fixture syncs them).
  expect(new Set(stages.map((s) => s.pipeline_id))).toEqual(new Set(["default", "987654321"]));
  for (const s of stages) expect(s.stage_label, s.dealstage).not.toBeNull();
  const bars = page.locator('[data-chart="deal-stages"] rect[data-bar]');
  await expect(bars).toHaveCount(stages.length);
  const drawn = await bars.evaluateAll((els) => els.map((e) => ({
    stage: e.getAttribute("data-bar"), value: e.getAttribute("data-value"), length: Number(e.getAttribute("width")),
  })));
  expect(drawn.map((b) => [b.stage, b.value])).toEqual(stages.map((s) => [`${s.pipeline_id}/${s.dealstage}`, s.deals]));
  // Lengths (horizontal bars) in proportion to the deals.
  const maxDeals = Math.max(...stages.map((s) => Number(s.deals)));
  const maxLength = Math.max(...drawn.map((b) => b.length));
  for (const b of drawn) expect(Math.abs(b.length / maxLength - Number(b.value) / maxDeals)).toBeLessThan(0.02);
  // The axis names the stages by label, not by id (the renewals' are numbers).
  const axis = page.locator('[data-chart="deal-stages"] svg.recharts-surface');
  await expect(axis).toContainText("Renewed");
  await expect(axis).not.toContainText("1002");

  // The same numbers as a table, for screen readers and copying: with two
  // pipelines, each stage is named with its pipeline's label.
  await page.locator('[data-chart="deal-stages"]').getByRole("button", { name: "Table" }).click();
  const cells = page.locator('[data-chart="deal-stages"] tbody tr');
  await expect(cells).toHaveCount(stages.length);
  for (let i = 0; i < stages.length; i++) {
    await expect(cells.nth(i).locator("td").first()).toHaveText(`${stages[i].pipeline_label}: ${stages[i].stage_label}`);
    await expect(cells.nth(i).locator("td").nth(2)).toHaveText(stages[i].deals);
  }
});

test("the pipeline filter lists the pipelines, and choosing one gives hubspot_metrics(from, to, pipeline)", async ({ page }) => {
  await page.goto("/?range=90d");
  const all = await expectCardsMatchSql(page);
  const pipelines = (await db.query<{ pipeline_id: string; label: string }>(
    `SELECT pipeline_id, label FROM hubspot_pipelines
      WHERE object_type = 'deals' AND NOT archived ORDER BY display_order`)).rows;
  expect(pipelines.map((p) => p.label)).toEqual(["Sales Pipeline", "Renewals"]);
  const select = page.locator('select[name="pipeline"]');
  await expect(select.locator("option")).toHaveText(["All pipelines", ...pipelines.map((p) => p.label)]);

  await select.selectOption({ label: "Renewals" });
  await page.locator('form[aria-label="Pipeline"]').getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/[?&]pipeline=987654321/);
  await expect(page).toHaveURL(/[?&]range=90d/);
  const renewals = await expectCardsMatchSql(page, "987654321");
  expect(renewals.window).toEqual(all.window);
  expect(value(renewals.rows, "total_deals")).not.toBe(value(all.rows, "total_deals"));
  expect(Number(value(renewals.rows, "deals_won"))).toBeGreaterThan(0);
  await expect(select).toHaveValue("987654321");

  // The breakdowns follow: the stage chart shows the renewals' stages only,
  // by label, without the pipeline's name.
  const stages = await stageRows(renewals.window, "987654321");
  expect(stages.map((s) => s.dealstage).sort()).toEqual(["1001", "1002", "1003"]);
  await expect(page.locator('[data-chart="deal-stages"] rect[data-bar]')).toHaveCount(stages.length);
  const cells = page.locator('[data-chart="deal-stages"] tbody tr td:first-child');
  await expect(cells).toHaveText(stages.map((s) => s.stage_label!));

  // Changing the range keeps the pipeline; so does opening the URL again.
  await page.getByRole("link", { name: "Last 30 days" }).click();
  await expect(page).toHaveURL(/[?&]range=30d/);
  await expect(page).toHaveURL(/[?&]pipeline=987654321/);
  await expectCardsMatchSql(page, "987654321");
  await page.goto(page.url());
  await expectCardsMatchSql(page, "987654321");
  // Back to all pipelines; an unknown pipeline in the URL is all of them.
  await page.goto("/?range=90d&pipeline=does-not-exist");
  await expectCardsMatchSql(page, null);
});

interface OwnerRow { owner_id: string | null; owner_name: string | null; email: string | null; archived: boolean | null;
                     deals_won: string; total_sales: string; calls: string; connected_calls: string; call_minutes: string }

async function expectOwnersMatchSql(page: Page, pipeline: string | null) {
  const w = await pageWindow(page);
  const owners = (await db.query<OwnerRow>(
    "SELECT * FROM hubspot_metrics_by_owner($1::date::timestamptz, $2::date::timestamptz, $3)",
    [w.start, w.end, pipeline])).rows;
  const rows = page.locator('[data-chart="owners"] tbody tr');
  await expect(rows).toHaveCount(owners.length);
  for (let i = 0; i < owners.length; i++) {
    const o = owners[i];
    const name = (o.owner_name ?? o.email ?? (o.owner_id === null ? "(no owner)" : `Owner ${o.owner_id}`))
      + (o.archived ? " (archived)" : "");
    await expect(rows.nth(i).locator("td")).toHaveText([name, formatNumber(o.deals_won), formatCurrency(o.total_sales),
      formatNumber(o.calls), formatNumber(o.connected_calls), formatNumber(o.call_minutes)]);
  }
  return owners;
}

test("the per-owner table is hubspot_metrics_by_owner(), with the owners' names", async ({ page }) => {
  await page.goto("/?range=90d");
  const owners = await expectOwnersMatchSql(page, null);
  const names = owners.map((o) => o.owner_name);
  expect(names).toContain("Alice Martin");
  expect(names).toContain("Bob Durand");
  expect(owners.some((o) => o.owner_id === null)).toBe(true);   // deals and calls without an owner
  expect(owners.some((o) => o.archived)).toBe(true);            // Dan, archived, with won deals
  await expect(page.locator('[data-chart="owners"]')).toContainText("Alice Martin");
  await expect(page.locator('[data-chart="owners"]')).toContainText("carol@example.com");
  await expect(page.locator('[data-chart="owners"] .recharts-bar-rectangle').first()).toBeVisible();

  await page.goto("/?range=90d&pipeline=987654321");
  const renewals = await expectOwnersMatchSql(page, "987654321");
  expect(renewals.map((o) => o.deals_won)).not.toEqual(owners.map((o) => o.deals_won));
});

test("every chart's numbers are in a table", async ({ page }) => {
  await page.goto("/?range=90d");
  for (const id of ["deal-stages", "weekly-trend", "weekly-contacts", "script-versions", "payment-status", "call-direction",
                    "calls-weekly", "follow-up", "owners"]) {
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
    expect((await reader.query("SELECT * FROM hubspot_metrics()")).rows.length).toBe(METRIC_COUNT);
    expect((await reader.query("SELECT * FROM hubspot_metrics(NULL, NULL, '987654321')")).rows.length).toBe(METRIC_COUNT);
    for (const fn of ["by_deal_stage", "by_payment_status", "by_script_version", "by_week", "by_owner"]) {
      expect((await reader.query(`SELECT * FROM hubspot_metrics_${fn}(now() - interval '90 days', now(), '987654321')`))
        .rows.length, fn).toBeGreaterThan(0);
    }
    expect((await reader.query("SELECT pipeline_id, label FROM hubspot_pipelines")).rows.length).toBe(3);
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
    await denied("SELECT * FROM deals_with_contacts");
    await denied("SELECT * FROM hubspot_contact_numbers");
    await denied("SELECT * FROM hubspot_call_numbers");
    await denied("SELECT raw_json FROM hubspot_owners");
    await denied("SELECT raw_json FROM hubspot_pipelines");
    await denied("SELECT raw_json FROM hubspot_pipeline_stages");
    await denied("SELECT hubspot_set_default_country_code('33')");
    await denied("DELETE FROM hubspot_call_dispositions");
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
