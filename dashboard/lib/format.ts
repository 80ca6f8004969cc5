// Formatting of the values the SQL functions return, for display only.
//
// Postgres sends numeric values as strings ("12.50"); they are formatted
// here and never recomputed: a rate is shown as the percentage SQL
// rounded, a sum as SQL summed it.  A NULL (a rate or average with nothing
// to divide by) is shown as an em dash with the reason, never as 0.

export const NULL_TEXT = "—";

export type Unit =
  | "contacts" | "deals" | "calls" | "percent" | "currency"
  | "seconds" | "minutes" | "hours" | "days" | "months" | string;

export interface FormatOptions {
  locale?: string;
  currency?: string;
}

const DEFAULTS: Required<FormatOptions> = { locale: "en-US", currency: "USD" };

/** A numeric string (or number) as a finite number, or null. */
export function toNumber(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** 1234 -> "1,234"; decimals as given, up to `max` of them. */
export function formatNumber(value: string | number | null | undefined, opts: FormatOptions = {}, max = 2): string {
  const n = toNumber(value);
  if (n === null) return NULL_TEXT;
  return new Intl.NumberFormat(opts.locale ?? DEFAULTS.locale, { maximumFractionDigits: max }).format(n);
}

/** "12.50" -> "12.5%": the percentage as SQL rounded it (2 decimals). */
export function formatPercent(value: string | number | null | undefined, opts: FormatOptions = {}): string {
  const n = toNumber(value);
  if (n === null) return NULL_TEXT;
  return `${formatNumber(n, opts, 2)}%`;
}

/** "12345.5" -> "$12,345.50"; whole amounts keep no cents when large. */
export function formatCurrency(value: string | number | null | undefined, opts: FormatOptions = {}): string {
  const n = toNumber(value);
  if (n === null) return NULL_TEXT;
  return new Intl.NumberFormat(opts.locale ?? DEFAULTS.locale, {
    style: "currency",
    currency: opts.currency ?? DEFAULTS.currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(n);
}

/** A compact currency for chart axes: "$12.3K". */
export function formatCurrencyCompact(value: number, opts: FormatOptions = {}): string {
  return new Intl.NumberFormat(opts.locale ?? DEFAULTS.locale, {
    style: "currency",
    currency: opts.currency ?? DEFAULTS.currency,
    notation: "compact",
    maximumFractionDigits: 1,
  }).format(value);
}

const SECONDS_PER: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** Whether a unit is a length of time formatDuration can show. */
export function isDurationUnit(unit: string): boolean {
  return unit in SECONDS_PER;
}

/**
 * A length of time in words, to the precision that matters at its size:
 * 42 s; 4 min 12 s; 3 h 05 min; 2 d 4 h.  Negative values keep their sign.
 */
export function formatDuration(value: string | number | null | undefined, unit: string = "seconds"): string {
  const n = toNumber(value);
  if (n === null) return NULL_TEXT;
  const factor = SECONDS_PER[unit];
  if (factor === undefined) throw new Error(`not a unit of time: ${unit}`);
  const sign = n < 0 ? "-" : "";
  const total = Math.abs(n) * factor;
  if (total < 60) {
    const s = Math.round(total * 10) / 10;
    return `${sign}${s < 10 && s !== Math.round(s) ? s.toFixed(1) : Math.round(s)} s`;
  }
  if (total < 3600) {
    let m = Math.floor(total / 60);
    let s = Math.round(total - m * 60);
    if (s === 60) { m += 1; s = 0; }
    return m === 60 ? `${sign}1 h 00 min` : `${sign}${m} min ${s} s`;
  }
  if (total < 86400) {
    let h = Math.floor(total / 3600);
    let m = Math.round((total - h * 3600) / 60);
    if (m === 60) { h += 1; m = 0; }
    return h === 24 ? `${sign}1 d 0 h` : `${sign}${h} h ${String(m).padStart(2, "0")} min`;
  }
  let d = Math.floor(total / 86400);
  let h = Math.round((total - d * 86400) / 3600);
  if (h === 24) { d += 1; h = 0; }
  return `${sign}${d} d ${h} h`;
}

/** A metric's value with its unit, as a card shows it. */
export function formatValue(value: string | number | null | undefined, unit: Unit, opts: FormatOptions = {}): string {
  if (toNumber(value) === null) return NULL_TEXT;
  switch (unit) {
    case "percent":
      return formatPercent(value, opts);
    case "currency":
      return formatCurrency(value, opts);
    case "seconds":
    case "minutes":
    case "hours":
    case "days":
      return formatDuration(value, unit);
    case "months":
      return `${formatNumber(value, opts)} mo`;
    case "contacts":
    case "deals":
    case "calls":
      return formatNumber(value, opts);
    default:
      return unit ? `${formatNumber(value, opts)} ${unit}` : formatNumber(value, opts);
  }
}

export interface Delta {
  /** "+12.5%", "-3.1 pts", "no change", "new" */
  text: string;
  direction: "up" | "down" | "flat";
}

/**
 * How a value compares with the previous period's: relative change for
 * counts, sums and averages; the difference in points for percentages.
 * null when either side is NULL (there is nothing to compare).
 */
export function formatDelta(current: string | number | null | undefined,
                            previous: string | number | null | undefined,
                            unit: Unit, opts: FormatOptions = {}): Delta | null {
  const c = toNumber(current);
  const p = toNumber(previous);
  if (c === null || p === null) return null;
  if (c === p) return { text: "no change", direction: "flat" };
  const direction = c > p ? "up" : "down";
  const sign = c > p ? "+" : "−";
  if (unit === "percent") {
    return { text: `${sign}${formatNumber(Math.abs(c - p), opts, 2)} pts`, direction };
  }
  if (p === 0) return { text: "new", direction };
  const rel = (Math.abs(c - p) / Math.abs(p)) * 100;
  return { text: `${sign}${formatNumber(rel, opts, rel < 10 ? 1 : 0)}%`, direction };
}

/** "average_time_to_sale" -> "Average time to sale" */
export function humanize(name: string): string {
  const s = name.replace(/_+/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A number of seconds ago, roughly: "just now", "5 min ago", "3 h ago", "2 d ago". */
export function formatAge(seconds: string | number | null | undefined): string {
  const n = toNumber(seconds);
  if (n === null) return NULL_TEXT;
  if (n < 60) return "just now";
  if (n < 3600) return `${Math.floor(n / 60)} min ago`;
  if (n < 86400) return `${Math.floor(n / 3600)} h ago`;
  return `${Math.floor(n / 86400)} d ago`;
}
