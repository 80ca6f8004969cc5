// The date range of the page, from its URL: ?range=7d|30d|90d|month|
// last-month, or ?range=custom&from=YYYY-MM-DD&to=YYYY-MM-DD (both days
// included).  Plain calendar dates: "today" comes from Postgres in the
// dashboard's time zone, and Postgres turns each date into the timestamp
// of its midnight in that zone, so no time zone arithmetic happens here.
//
// A range is the half-open window [from, to) that hubspot_metrics() takes
// (to is the day after the last day shown), and the previous period is the
// window of the same number of days just before it.

export type RangeKey = "7d" | "30d" | "90d" | "month" | "last-month" | "custom";

export const PRESETS: { key: Exclude<RangeKey, "custom">; label: string }[] = [
  { key: "7d", label: "Last 7 days" },
  { key: "30d", label: "Last 30 days" },
  { key: "90d", label: "Last 90 days" },
  { key: "month", label: "This month" },
  { key: "last-month", label: "Last month" },
];

export const DEFAULT_RANGE: RangeKey = "30d";

export interface Range {
  key: RangeKey;
  label: string;
  /** First day in the window. */
  from: string;
  /** First day after the window (exclusive end). */
  to: string;
  /** Last day in the window, as people say it (inclusive). */
  lastDay: string;
  days: number;
  prevFrom: string;
  prevTo: string;
  /** Set when the URL asked for a range that could not be used. */
  error?: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_DAYS = 3660;

/** 'YYYY-MM-DD' if it is a real calendar date, else null. */
export function parseDate(s: string | undefined | null): string | null {
  if (!s) return null;
  const m = DATE_RE.exec(s.trim());
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  if (d.getUTCFullYear() !== +m[1] || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) return null;
  if (+m[1] < 1900 || +m[1] > 9999) return null;
  return d.toISOString().slice(0, 10);
}

function toUTC(date: string): Date {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

export function addDays(date: string, n: number): string {
  const d = toUTC(date);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((toUTC(to).getTime() - toUTC(from).getTime()) / 86400000);
}

function monthStart(date: string, monthsBack = 0): string {
  const d = toUTC(date);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBack, 1)).toISOString().slice(0, 10);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** '2026-03-09' -> '9 Mar 2026' */
export function formatDay(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

function build(key: RangeKey, label: string, from: string, to: string, error?: string): Range {
  const days = daysBetween(from, to);
  const r: Range = { key, label, from, to, lastDay: addDays(to, -1), days,
                     prevFrom: addDays(from, -days), prevTo: from };
  if (error) r.error = error;
  return r;
}

type Params = Record<string, string | string[] | undefined>;

function one(p: Params, k: string): string | undefined {
  const v = p[k];
  return Array.isArray(v) ? v[0] : v;
}

/** The range the URL asks for, given today's date (in the dashboard's time zone). */
export function resolveRange(params: Params, today: string): Range {
  const key = one(params, "range") ?? (one(params, "from") || one(params, "to") ? "custom" : DEFAULT_RANGE);
  const tomorrow = addDays(today, 1);
  switch (key) {
    case "7d": return build(key, "Last 7 days", addDays(today, -6), tomorrow);
    case "30d": return build(key, "Last 30 days", addDays(today, -29), tomorrow);
    case "90d": return build(key, "Last 90 days", addDays(today, -89), tomorrow);
    case "month": return build(key, "This month", monthStart(today), tomorrow);
    case "last-month": return build(key, "Last month", monthStart(today, 1), monthStart(today));
    case "custom": {
      const from = parseDate(one(params, "from"));
      const last = parseDate(one(params, "to"));
      let error: string | undefined;
      if (!from || !last) error = "The custom range needs two dates, as YYYY-MM-DD.";
      else if (last < from) error = "The custom range ends before it starts.";
      else if (daysBetween(from, last) + 1 > MAX_DAYS) error = "The custom range is longer than ten years.";
      if (error || !from || !last) {
        return { ...resolveRange({ range: DEFAULT_RANGE }, today), error };
      }
      return build("custom", `${formatDay(from)} – ${formatDay(last)}`, from, addDays(last, 1));
    }
    default:
      return { ...resolveRange({ range: DEFAULT_RANGE }, today), error: `Unknown range "${key}".` };
  }
}

/** The query string of a range (keeping the other parameters given). */
export function rangeHref(key: RangeKey, extra: Record<string, string | undefined> = {},
                          custom?: { from: string; to: string }): string {
  const q = new URLSearchParams();
  q.set("range", key);
  if (key === "custom" && custom) {
    q.set("from", custom.from);
    q.set("to", custom.to);
  }
  for (const [k, v] of Object.entries(extra)) if (v) q.set(k, v);
  return `?${q.toString()}`;
}
