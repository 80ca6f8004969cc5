// The sync's health, from hubspot_sync_status: a strip of one badge per
// object type at the top of the page, and the detail at the bottom.

import { AlertTriangle, CheckCircle2, CircleDashed, Loader2, XCircle } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { NULL_TEXT, formatAge, formatDuration, formatNumber, humanize } from "@/lib/format";
import type { SyncStatus } from "@/lib/queries";
import { HEALTH_LABEL, syncHealth, type Health } from "@/lib/sync-health";

const VARIANT: Record<Health, "success" | "info" | "warning" | "destructive" | "secondary"> = {
  ok: "success", running: "info", stale: "warning", failed: "destructive", never: "secondary",
};
const ICON: Record<Health, typeof CheckCircle2> = {
  ok: CheckCircle2, running: Loader2, stale: AlertTriangle, failed: XCircle, never: CircleDashed,
};

export function HealthBadge({ health }: { health: Health }) {
  const Icon = ICON[health];
  return (
    <Badge variant={VARIANT[health]} data-health={health}>
      <Icon aria-hidden />
      {HEALTH_LABEL[health]}
    </Badge>
  );
}

/** Requests left today as HubSpot last said, from the most recent run that said it. */
function requestsLeft(rows: SyncStatus[]): { left: number; at: string | null } | null {
  const said = rows.filter((r) => r.daily_requests_left !== null);
  if (said.length === 0) return null;
  said.sort((a, b) => Number(a.finished_ago_s ?? Infinity) - Number(b.finished_ago_s ?? Infinity));
  return { left: said[0].daily_requests_left!, at: said[0].last_finished_at };
}

export function SyncStrip({ rows, staleAfter }: { rows: SyncStatus[]; staleAfter: number }) {
  const left = requestsLeft(rows);
  return (
    <section aria-label="Sync health" data-testid="sync-strip"
      className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
      {rows.map((r) => {
        const h = syncHealth(r, staleAfter);
        return (
          <a key={r.object_type} href="#sync" className="flex items-center gap-1.5 hover:underline"
            data-object-type={r.object_type} data-health={h}>
            <span className="font-medium">{humanize(r.object_type)}</span>
            <HealthBadge health={h} />
            {r.finished_ago_s !== null && <span className="text-muted-foreground">{formatAge(r.finished_ago_s)}</span>}
          </a>
        );
      })}
      {left && (
        <span className="text-muted-foreground">
          API requests left today: <span className="font-medium text-foreground tabular-nums">{formatNumber(left.left)}</span>
        </span>
      )}
    </section>
  );
}

export function SyncPanel({ rows, staleAfter }: { rows: SyncStatus[]; staleAfter: number }) {
  const left = requestsLeft(rows);
  return (
    <Card id="sync" data-testid="sync-panel" className="scroll-mt-4">
      <CardHeader>
        <CardTitle>Sync</CardTitle>
        <CardDescription>
          The last run of each object type (hubspot_sync_status). Stale: no successful run for more
          than {formatDuration(staleAfter, "seconds")}.
          {left && <> API requests left today: <span className="font-medium text-foreground">{formatNumber(left.left)}</span>
            {left.at && <> (as of {left.at})</>}.</>}
        </CardDescription>
      </CardHeader>
      <CardContent>
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Object</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Last run</TableHead>
              <TableHead>Last success</TableHead>
              <TableHead>Staleness</TableHead>
              <TableHead className="text-right">Requests left</TableHead>
              <TableHead>Error</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((r) => {
              const h = syncHealth(r, staleAfter);
              return (
                <TableRow key={r.object_type} data-object-type={r.object_type} data-health={h}
                  data-status={r.last_status ?? ""}>
                  <TableCell className="font-medium">{humanize(r.object_type)}</TableCell>
                  <TableCell><HealthBadge health={h} /></TableCell>
                  <TableCell>
                    {r.last_run_id === null ? NULL_TEXT : (
                      <>
                        <span>{r.last_status}</span>
                        <span className="text-muted-foreground"> · {r.last_mode}</span>
                        <div className="text-xs text-muted-foreground">{r.last_finished_at ?? `started ${r.last_started_at}`}</div>
                      </>
                    )}
                  </TableCell>
                  <TableCell>{r.last_success_at ?? NULL_TEXT}</TableCell>
                  <TableCell className={h === "stale" ? "font-medium text-warning" : ""}>
                    {r.staleness_s === null ? NULL_TEXT : formatDuration(r.staleness_s, "seconds")}
                  </TableCell>
                  <TableCell className="text-right tabular-nums">
                    {r.daily_requests_left === null ? NULL_TEXT : formatNumber(r.daily_requests_left)}
                  </TableCell>
                  <TableCell data-slot="sync-error"
                    className="max-w-md whitespace-normal break-words text-xs text-destructive">
                    {r.last_error ?? ""}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
