"use client";

// One metric of hubspot_metrics(): its value with its unit, the change
// against the previous period, and its definition (the function's
// description) in a tooltip on hover or keyboard focus.

import { ArrowDownRight, ArrowUpRight, Minus } from "lucide-react";
import { Card } from "@/components/ui/card";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
import { NULL_TEXT, formatDelta, formatValue, type FormatOptions } from "@/lib/format";
import { cn } from "@/lib/utils";

export interface MetricCardProps {
  name: string;
  title: string;
  value: string | null;
  previous: string | null;
  unit: string;
  description: string;
  nullReason: string;
  lowerIsBetter?: boolean;
  comparedWith: string;
  format: FormatOptions;
}

export function MetricCard(p: MetricCardProps) {
  const isNull = p.value === null;
  const delta = formatDelta(p.value, p.previous, p.unit, p.format);
  const good = delta && delta.direction !== "flat" && ((delta.direction === "up") !== !!p.lowerIsBetter);
  const Icon = !delta || delta.direction === "flat" ? Minus : delta.direction === "up" ? ArrowUpRight : ArrowDownRight;
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <Card tabIndex={0} data-metric={p.name} data-value={p.value ?? ""} data-unit={p.unit}
          aria-label={`${p.title}: ${isNull ? `no value, ${p.nullReason}` : formatValue(p.value, p.unit, p.format)}`}
          className="gap-2 px-4 py-4 outline-none transition-shadow hover:shadow-md focus-visible:ring-[3px] focus-visible:ring-ring/60">
          <div className="text-sm font-medium text-muted-foreground">{p.title}</div>
          <div data-slot="metric-value" className={cn("text-2xl font-semibold tabular-nums tracking-tight",
                                                   isNull && "text-muted-foreground")}>
            {isNull ? NULL_TEXT : formatValue(p.value, p.unit, p.format)}
          </div>
          {isNull ? (
            <div data-slot="metric-null-reason" className="text-xs text-muted-foreground">{p.nullReason}</div>
          ) : (
            <div data-slot="metric-delta" className="flex items-center gap-1 text-xs text-muted-foreground">
              {delta ? (
                <>
                  <span className={cn("inline-flex items-center gap-0.5 font-medium",
                                      delta.direction === "flat" ? "" : good ? "text-success" : "text-destructive")}>
                    <Icon className="size-3.5" aria-hidden />
                    {delta.text}
                  </span>
                  <span>vs {p.comparedWith}</span>
                </>
              ) : (
                <span>no value to compare in {p.comparedWith}</span>
              )}
            </div>
          )}
        </Card>
      </TooltipTrigger>
      <TooltipContent side="bottom">{p.description}</TooltipContent>
    </Tooltip>
  );
}
