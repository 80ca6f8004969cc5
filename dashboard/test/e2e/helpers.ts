// What the browser tests share: a superuser connection for the expected
// values, a connection as the dashboard's own role, and a way to start
// another copy of the built app with another DATABASE_URL.
import { spawn, type ChildProcess } from "node:child_process";
import { Client, types } from "pg";
import type { Page } from "@playwright/test";

// Compare text with text: numeric values as Postgres prints them.
types.setTypeParser(types.builtins.NUMERIC, (v) => v);
types.setTypeParser(types.builtins.INT8, (v) => v);

export const TEST_DB = process.env.DASHBOARD_TEST_DB ?? "hubspot_dashboard_test";

/** A connection as the superuser pg_virtualenv set up (PG* variables). */
export async function superuser(database = TEST_DB): Promise<Client> {
  const c = new Client({ database });
  await c.connect();
  return c;
}

/** A connection as the app connects: the login role in hubspot_reader. */
export async function asReader(): Promise<Client> {
  const c = new Client({ connectionString: process.env.DASHBOARD_DATABASE_URL });
  await c.connect();
  return c;
}

/** The window the page says it shows (its <main> attributes). */
export async function pageWindow(page: Page): Promise<{ start: string; end: string; prevStart: string; prevEnd: string }> {
  const main = page.locator("main");
  return {
    start: (await main.getAttribute("data-window-start"))!,
    end: (await main.getAttribute("data-window-end"))!,
    prevStart: (await main.getAttribute("data-previous-start"))!,
    prevEnd: (await main.getAttribute("data-previous-end"))!,
  };
}

export interface MetricRow { name: string; value: string | null; unit: string; description: string }

/** hubspot_metrics() over [start, end) as dates at midnight in the session's zone, as the app calls it;
 *  for one deal pipeline or (null) all. */
export async function metrics(db: Client, start: string, end: string, pipeline: string | null = null): Promise<MetricRow[]> {
  return (await db.query<MetricRow>(
    "SELECT name, value, unit, description FROM hubspot_metrics($1::date::timestamptz, $2::date::timestamptz, $3)",
    [start, end, pipeline])).rows;
}

/** The number of rows hubspot_metrics() returns in the installed version. */
export const METRIC_COUNT = 30;

/** Start the built app on a port with this environment; stopped by the returned function. */
export async function startApp(port: number, env: Record<string, string>): Promise<() => Promise<void>> {
  const child: ChildProcess = spawn(process.execPath,
    ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}):\n${log}`);
    try {
      await fetch(`http://127.0.0.1:${port}/icon.svg`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the app did not start on port ${port}:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  };
}
