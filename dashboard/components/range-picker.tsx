// The date range and pipeline choosers.  Plain links and a GET form: the
// choice lives in the URL (so a view can be shared) and works without
// JavaScript.

import { Button } from "@/components/ui/button";
import { PRESETS, rangeHref, type Range } from "@/lib/range";
import type { Pipeline } from "@/lib/queries";
import { cn } from "@/lib/utils";

export function RangePicker({ range, pipelines, pipeline }:
  { range: Range; pipelines: Pipeline[] | null; pipeline: string | null }) {
  const keep = { pipeline: pipeline ?? undefined };
  return (
    <div className="flex flex-wrap items-end gap-3">
      <nav aria-label="Date range" className="flex flex-wrap gap-1 rounded-lg bg-muted p-1">
        {PRESETS.map((p) => {
          const active = range.key === p.key && !range.error;
          return (
            <Button key={p.key} asChild size="xs" variant="ghost"
              className={cn("text-muted-foreground", active && "bg-background text-foreground shadow-xs hover:bg-background")}>
              <a href={rangeHref(p.key, keep)} aria-current={active ? "page" : undefined} data-range={p.key}>{p.label}</a>
            </Button>
          );
        })}
      </nav>
      <form method="get" action="/" className="flex flex-wrap items-end gap-2 text-sm" aria-label="Custom range">
        <input type="hidden" name="range" value="custom" />
        {pipeline && <input type="hidden" name="pipeline" value={pipeline} />}
        <label className="flex flex-col gap-0.5">
          <span className="text-xs text-muted-foreground">From</span>
          <input type="date" name="from" required defaultValue={range.from}
            className="h-7 rounded-md border bg-background px-2 text-sm" />
        </label>
        <label className="flex flex-col gap-0.5">
          <span className="text-xs text-muted-foreground">To</span>
          <input type="date" name="to" required defaultValue={range.lastDay}
            className="h-7 rounded-md border bg-background px-2 text-sm" />
        </label>
        <Button type="submit" size="xs" variant={range.key === "custom" ? "default" : "outline"}>Apply</Button>
      </form>
      {pipelines && pipelines.length > 0 && (
        <form method="get" action="/" className="flex items-end gap-2 text-sm" aria-label="Pipeline">
          <input type="hidden" name="range" value={range.key} />
          {range.key === "custom" && (
            <>
              <input type="hidden" name="from" value={range.from} />
              <input type="hidden" name="to" value={range.lastDay} />
            </>
          )}
          <label className="flex flex-col gap-0.5">
            <span className="text-xs text-muted-foreground">Pipeline</span>
            <select name="pipeline" defaultValue={pipeline ?? ""} className="h-7 rounded-md border bg-background px-2 text-sm">
              <option value="">All pipelines</option>
              {pipelines.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
            </select>
          </label>
          <Button type="submit" size="xs" variant="outline">Apply</Button>
        </form>
      )}
    </div>
  );
}
