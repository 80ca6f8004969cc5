// Everything the page shows, read from the extension's functions and views
// in one read-only snapshot.  Nothing is computed here: rows are passed on
// as Postgres returned them.
//
// What the installed version offers is read from the catalog first, so the
// page works with 1.1 and picks up what later versions add: a `pipeline`
// argument of the metrics functions (with the hubspot_pipelines table for
// its choices), extra columns in the breakdowns (stage labels), and a
// hubspot_metrics_by_owner breakdown.

import "server-only";
import type { PoolClient } from "pg";
import { withSnapshot } from "./db";
import { DashboardError, classifyPgError } from "./errors";
import { resolveRange, type Range } from "./range";

export type Row = Record<string, string | null>;

export interface Table {
  columns: string[];
  rows: Row[];
}

export interface Metric {
  name: string;
  value: string | null;
  unit: string;
  description: string;
  previous: string | null;
}

export interface SyncStatus {
  object_type: string;
  last_run_id: string | null;
  last_status: string | null;
  last_mode: string | null;
  last_started_at: string | null;
  last_finished_at: string | null;
  finished_ago_s: string | null;
  last_error: string | null;
  last_success_at: string | null;
  staleness_s: string | null;
  daily_requests_left: number | null;
  full_sync_unfinished: boolean | null;
}

export interface Pipeline {
  id: string;
  label: string;
}

export interface DashboardData {
  today: string;
  timezone: string;
  version: string;
  range: Range;
  pipelines: Pipeline[] | null;
  pipeline: string | null;
  metrics: Metric[];
  stages: Table | null;
  payment: Table | null;
  scripts: Table | null;
  weeks: Table | null;
  owners: Table | null;
  status: SyncStatus[];
  /** Set when the window holds nothing: the weeks that hold data, if any. */
  extent: { first: string | null; last: string | null } | null;
}

interface Probe {
  today: string;
  timezone: string;
  version: string;
  schema: string;
  /** function name -> whether it takes a `pipeline` argument */
  functions: Record<string, boolean> | null;
  has_pipelines: boolean;
}

const PROBE_SQL = `
SELECT current_date::text AS today,
       current_setting('TimeZone') AS timezone,
       e.extversion AS version,
       quote_ident(n.nspname) AS schema,
       (SELECT jsonb_object_agg(f.proname, f.pipeline)
          FROM (SELECT p.proname, bool_or('pipeline' = ANY (p.proargnames)) AS pipeline
                  FROM pg_catalog.pg_proc p
                 WHERE p.pronamespace = e.extnamespace AND p.proname LIKE 'hubspot\\_metrics%'
                 GROUP BY p.proname) f) AS functions,
       pg_catalog.to_regclass(quote_ident(n.nspname) || '.hubspot_pipelines') IS NOT NULL AS has_pipelines
  FROM pg_catalog.pg_extension e
  JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname = 'hubspot_sync'`;

function tableOf(result: { fields: { name: string }[]; rows: Row[] }): Table {
  return { columns: result.fields.map((f) => f.name), rows: result.rows };
}

type Params = Record<string, string | string[] | undefined>;

export async function loadDashboard(params: Params): Promise<DashboardData> {
  try {
    return await withSnapshot((client) => load(client, params));
  } catch (err) {
    if (err instanceof DashboardError) throw err;
    const code = classifyPgError(err);
    const e = err as { code?: string; message?: string };
    console.error(`hubspot dashboard: ${code}: ${e?.code ? e.code + " " : ""}${e?.message ?? String(err)}`);
    throw new DashboardError(code, err);
  }
}

async function load(client: PoolClient, params: Params): Promise<DashboardData> {
  const probe = (await client.query<Probe>(PROBE_SQL)).rows[0];
  if (!probe) throw new DashboardError("extension-missing");
  const s = probe.schema;
  const fns = probe.functions ?? {};
  const range = resolveRange(params, probe.today);

  let pipelines: Pipeline[] | null = null;
  let pipeline: string | null = null;
  if (fns.hubspot_metrics && probe.has_pipelines) {
    pipelines = (await client.query<Pipeline>(
      `SELECT pipeline_id AS id, coalesce(label, pipeline_id) AS label FROM ${s}.hubspot_pipelines
        WHERE object_type = 'deals' AND NOT archived ORDER BY display_order NULLS LAST, label`)).rows;
    const asked = typeof params.pipeline === "string" ? params.pipeline : null;
    if (asked && pipelines.some((p) => p.id === asked)) pipeline = asked;
  }

  // fn(window_start => $1, window_end => $2 [, pipeline => $3]); the dates
  // become their midnight in the session's time zone.
  async function call(fn: string, from: string, to: string): Promise<Table | null> {
    if (!(fn in fns)) return null;
    const args = ["window_start => $1::date::timestamptz", "window_end => $2::date::timestamptz"];
    const values: string[] = [from, to];
    if (fns[fn] && pipeline !== null) {
      args.push("pipeline => $3");
      values.push(pipeline);
    }
    return tableOf(await client.query(`SELECT * FROM ${s}.${fn}(${args.join(", ")})`, values));
  }

  if (!("hubspot_metrics" in fns)) throw new DashboardError("extension-missing");
  const current = (await call("hubspot_metrics", range.from, range.to))!;
  const previous = (await call("hubspot_metrics", range.prevFrom, range.prevTo))!;
  const before = new Map(previous.rows.map((r) => [r.name, r.value]));
  const metrics: Metric[] = current.rows.map((r) => ({
    name: r.name ?? "",
    value: r.value,
    unit: r.unit ?? "",
    description: r.description ?? "",
    previous: before.get(r.name) ?? null,
  }));

  const stages = await call("hubspot_metrics_by_deal_stage", range.from, range.to);
  const payment = await call("hubspot_metrics_by_payment_status", range.from, range.to);
  const scripts = await call("hubspot_metrics_by_script_version", range.from, range.to);
  const weeks = await call("hubspot_metrics_by_week", range.from, range.to);
  const owners = await call("hubspot_metrics_by_owner", range.from, range.to);

  const status = (await client.query<SyncStatus>(`
    SELECT object_type, last_run_id::text, last_status, last_mode,
           to_char(last_started_at, 'YYYY-MM-DD HH24:MI TZ') AS last_started_at,
           to_char(last_finished_at, 'YYYY-MM-DD HH24:MI TZ') AS last_finished_at,
           floor(extract(epoch FROM now() - last_finished_at))::text AS finished_ago_s,
           last_error,
           to_char(last_success_at, 'YYYY-MM-DD HH24:MI TZ') AS last_success_at,
           floor(extract(epoch FROM staleness))::text AS staleness_s,
           daily_requests_left, full_sync_unfinished
      FROM ${s}.hubspot_sync_status
     ORDER BY array_position(ARRAY['contacts', 'deals', 'calls'], object_type), object_type`)).rows;

  // An empty window: say where the data is, or that there is none.
  let extent: DashboardData["extent"] = null;
  const count = (n: string) => Number(metrics.find((m) => m.name === n)?.value ?? 0);
  if (count("new_contacts") + count("total_deals") + count("total_calls") + count("deals_won") + count("deals_lost") === 0
      && "hubspot_metrics_by_week" in fns) {
    extent = (await client.query<{ first: string | null; last: string | null }>(
      `SELECT min(week)::text AS first, max(week)::text AS last FROM ${s}.hubspot_metrics_by_week(NULL, NULL)`)).rows[0];
  }

  return {
    today: probe.today, timezone: probe.timezone, version: probe.version, range,
    pipelines, pipeline, metrics, stages, payment, scripts, weeks, owners, status, extent,
  };
}
