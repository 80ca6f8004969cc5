// The pool of connections to Postgres (server only).
//
// Configured by the environment as node-postgres reads it: DATABASE_URL,
// or PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD.  DASHBOARD_TIMEZONE
// (default: the server's TimeZone setting) is the session time zone, which
// decides where days and Monday-based weeks start.

import "server-only";
import { Pool, types as pgTypes, type PoolClient } from "pg";

// Values come back as Postgres prints them: numeric as "12.50" (formatted,
// never recomputed), dates and timestamps as text in the session's zone.
const TEXT_TYPES = new Set([
  pgTypes.builtins.DATE, pgTypes.builtins.TIMESTAMPTZ, pgTypes.builtins.TIMESTAMP,
  pgTypes.builtins.INTERVAL, pgTypes.builtins.NUMERIC, pgTypes.builtins.INT8,
]);
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (TEXT_TYPES.has(oid)) return (v: string) => v;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return pgTypes.getTypeParser(oid, format as any);
  },
};

function makePool(): Pool {
  const options = ["-c statement_timeout=15000", "-c default_transaction_read_only=on"];
  const tz = process.env.DASHBOARD_TIMEZONE;
  if (tz) {
    if (!/^[A-Za-z0-9_+\-/]+$/.test(tz)) throw new Error("DASHBOARD_TIMEZONE is not a time zone name");
    options.push(`-c TimeZone=${tz}`);
  }
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL || undefined,
    max: Number(process.env.DASHBOARD_POOL_SIZE ?? 4),
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    application_name: "hubspot_dashboard",
    options: options.join(" "),
    types,
  });
  // An idle connection's error (the server restarting) must not crash the
  // process; the next query gets a new connection.
  pool.on("error", (err) => console.error("hubspot dashboard: idle connection lost:", err.message));
  return pool;
}

const g = globalThis as unknown as { __hubspotDashboardPool?: Pool };

export function pool(): Pool {
  g.__hubspotDashboardPool ??= makePool();
  return g.__hubspotDashboardPool;
}

/** Run fn on one connection, in one read-only snapshot. */
export async function withSnapshot<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  let broken = false;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    try {
      await client.query("ROLLBACK");
    } catch {
      broken = true;
    }
    throw err;
  } finally {
    client.release(broken);
  }
}
