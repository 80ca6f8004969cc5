// How healthy each object type's sync is, from a hubspot_sync_status row:
// failed (its last run failed or was aborted), stale (its last success is
// older than DASHBOARD_STALE_AFTER_MINUTES, 120 by default), never synced,
// running, or ok.

export type Health = "ok" | "running" | "stale" | "failed" | "never";

export interface StatusLike {
  last_status: string | null;
  staleness_s: string | null;
  last_run_id: string | null;
}

export function staleAfterSeconds(env: string | undefined = process.env.DASHBOARD_STALE_AFTER_MINUTES): number {
  const n = Number(env);
  return (Number.isFinite(n) && n > 0 ? n : 120) * 60;
}

export function syncHealth(s: StatusLike, staleAfter: number): Health {
  if (s.last_run_id === null) return "never";
  if (s.last_status === "failed" || s.last_status === "aborted") return "failed";
  if (s.staleness_s === null || Number(s.staleness_s) > staleAfter) {
    return s.last_status === "running" ? "running" : "stale";
  }
  return s.last_status === "running" ? "running" : "ok";
}

export const HEALTH_LABEL: Record<Health, string> = {
  ok: "up to date", running: "syncing", stale: "stale", failed: "failed", never: "never synced",
};
