"use client";

// The charts (recharts).  Each takes the rows the server read, already as
// numbers, and draws them; the numbers themselves come from the SQL
// breakdowns unchanged.

import * as React from "react";
import {
  Bar, BarChart, CartesianGrid, Cell, ComposedChart, Legend, Line, LineChart,
  ResponsiveContainer, Tooltip, XAxis, YAxis,
} from "recharts";
import { formatCurrencyCompact, formatNumber, formatValue, type FormatOptions } from "@/lib/format";

const AXIS = { fontSize: 12, fill: "var(--muted-foreground)" };
const GRID = "var(--border)";
const TOOLTIP_STYLE = {
  contentStyle: { background: "var(--card)", border: "1px solid var(--border)", borderRadius: 8, fontSize: 12 },
  labelStyle: { color: "var(--foreground)", fontWeight: 600 },
  itemStyle: { color: "var(--foreground)" },
  cursor: { fill: "var(--muted)", opacity: 0.6 },
};
const OUTCOME_COLOR: Record<string, string> = {
  won: "var(--chart-2)", lost: "var(--chart-4)", open: "var(--chart-1)",
};

export interface StageDatum { key: string; label: string; deals: number; outcome: string }

interface BarShapeProps { x?: number; y?: number; width?: number; height?: number; fill?: string; payload?: StageDatum }

/** A bar that says which stage it is, for the tests and for inspection. */
function StageBar({ x = 0, y = 0, width = 0, height = 0, fill, payload }: BarShapeProps) {
  return (
    <rect x={x} y={y} width={Math.max(width, 0)} height={Math.max(height, 0)} rx={3} style={{ fill }}
      data-bar={payload?.key} data-value={payload?.deals} />
  );
}

export function StageChart({ data }: { data: StageDatum[] }) {
  // Horizontal bars: stage names (with their pipeline's when several) are long.
  const labelWidth = Math.min(220, Math.max(72, 7 * Math.max(...data.map((d) => d.label.length))));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, left: 0, bottom: 0 }}>
        <CartesianGrid horizontal={false} stroke={GRID} />
        <XAxis type="number" allowDecimals={false} tick={AXIS} tickLine={false} axisLine={false} />
        <YAxis type="category" dataKey="label" tick={AXIS} tickLine={false} axisLine={false} width={labelWidth} interval={0} />
        <Tooltip {...TOOLTIP_STYLE} formatter={(v) => [formatNumber(Number(v)), "deals"]} />
        <Bar dataKey="deals" isAnimationActive={false} shape={(p: unknown) => <StageBar {...(p as BarShapeProps)} />}>
          {data.map((d) => <Cell key={d.key} fill={OUTCOME_COLOR[d.outcome] ?? "var(--chart-1)"} />)}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

export interface WeekDatum {
  week: string; new_contacts: number; new_deals: number; deals_won: number; total_sales: number;
  calls: number; call_minutes: number;
}

export function TrendChart({ data, format }: { data: WeekDatum[]; format: FormatOptions }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={data} margin={{ top: 8, right: 0, left: -16, bottom: 0 }}>
        <CartesianGrid vertical={false} stroke={GRID} />
        <XAxis dataKey="week" tick={AXIS} tickLine={false} axisLine={false} minTickGap={24}
          tickFormatter={(w: string) => w.slice(5)} />
        <YAxis yAxisId="n" allowDecimals={false} tick={AXIS} tickLine={false} axisLine={false} />
        <YAxis yAxisId="sales" orientation="right" tick={AXIS} tickLine={false} axisLine={false} width={56}
          tickFormatter={(v: number) => formatCurrencyCompact(v, format)} />
        <Tooltip {...TOOLTIP_STYLE} cursor={{ stroke: "var(--border)" }} labelFormatter={(w) => `Week of ${w}`}
          formatter={(v, name) => [name === "Sales" ? formatValue(Number(v), "currency", format) : formatNumber(Number(v)), name]} />
        <Legend wrapperStyle={{ fontSize: 12 }} iconType="plainline" />
        <Line yAxisId="n" dataKey="new_deals" name="Deals created" stroke="var(--chart-3)" strokeWidth={2} dot={false} isAnimationActive={false} />
        <Line yAxisId="n" dataKey="deals_won" name="Deals won" stroke="var(--chart-2)" strokeWidth={2} dot={false} isAnimationActive={false} />
        <Line yAxisId="sales" dataKey="total_sales" name="Sales" stroke="var(--chart-5)" strokeWidth={2} strokeDasharray="5 3" dot={false} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}

export function ContactsWeekChart({ data }: { data: WeekDatum[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={data} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid vertical={false} stroke={GRID} />
        <XAxis dataKey="week" tick={AXIS} tickLine={false} axisLine={false} minTickGap={24}
          tickFormatter={(w: string) => w.slice(5)} />
        <YAxis allowDecimals={false} tick={AXIS} tickLine={false} axisLine={false} />
        <Tooltip {...TOOLTIP_STYLE} cursor={{ stroke: "var(--border)" }} labelFormatter={(w) => `Week of ${w}`}
          formatter={(v) => [formatNumber(Number(v)), "New contacts"]} />
        <Line dataKey="new_contacts" name="New contacts" stroke="var(--chart-1)" strokeWidth={2} dot={false} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}

export function CallsWeekChart({ data }: { data: WeekDatum[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <ComposedChart data={data} margin={{ top: 8, right: 0, left: -16, bottom: 0 }}>
        <CartesianGrid vertical={false} stroke={GRID} />
        <XAxis dataKey="week" tick={AXIS} tickLine={false} axisLine={false} minTickGap={24}
          tickFormatter={(w: string) => w.slice(5)} />
        <YAxis yAxisId="n" allowDecimals={false} tick={AXIS} tickLine={false} axisLine={false} />
        <YAxis yAxisId="min" orientation="right" tick={AXIS} tickLine={false} axisLine={false} width={48} />
        <Tooltip {...TOOLTIP_STYLE} labelFormatter={(w) => `Week of ${w}`}
          formatter={(v, name) => [formatNumber(Number(v)), name]} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar yAxisId="n" dataKey="calls" name="Calls" fill="var(--chart-1)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        <Line yAxisId="min" dataKey="call_minutes" name="Minutes on the phone" stroke="var(--chart-3)" strokeWidth={2} dot={false} isAnimationActive={false} />
      </ComposedChart>
    </ResponsiveContainer>
  );
}

export interface CategoryDatum { label: string; value: number; color?: string }

/** Bars of a few named values (calls by direction, deals by payment status, sales by owner). */
export function CategoryChart({ data, unit, layout = "horizontal", currency }:
  { data: CategoryDatum[]; unit: string; layout?: "horizontal" | "vertical"; currency?: FormatOptions }) {
  const vertical = layout === "vertical";
  // Amounts: compact on the axis, in full in the tooltip.
  const tick = currency ? (v: number) => formatCurrencyCompact(v, currency) : undefined;
  const shown = (v: number) => (currency ? formatValue(v, "currency", currency) : formatNumber(v));
  const labelWidth = vertical ? Math.min(160, Math.max(96, 7 * Math.max(0, ...data.map((d) => d.label.length)))) : 0;
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} layout={layout} margin={{ top: 8, right: 16, left: vertical ? 8 : -16, bottom: 0 }}>
        <CartesianGrid vertical={vertical} horizontal={!vertical} stroke={GRID} />
        {vertical ? (
          <>
            <XAxis type="number" allowDecimals={!!currency} tick={AXIS} tickLine={false} axisLine={false} tickFormatter={tick} />
            <YAxis type="category" dataKey="label" tick={AXIS} tickLine={false} axisLine={false} width={labelWidth} interval={0} />
          </>
        ) : (
          <>
            <XAxis dataKey="label" tick={AXIS} tickLine={false} axisLine={false} interval={0} />
            <YAxis allowDecimals={!!currency} tick={AXIS} tickLine={false} axisLine={false} tickFormatter={tick} />
          </>
        )}
        <Tooltip {...TOOLTIP_STYLE} formatter={(v) => [shown(Number(v)), unit]} />
        <Bar dataKey="value" name={unit} radius={vertical ? [0, 3, 3, 0] : [3, 3, 0, 0]} isAnimationActive={false}>
          {data.map((d, i) => <Cell key={i} fill={d.color ?? "var(--chart-1)"} />)}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

export interface ScriptDatum { label: string; conversion_rate: number | null; won_conversion_rate: number | null; contacts: number }

export function ScriptChart({ data }: { data: ScriptDatum[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid vertical={false} stroke={GRID} />
        <XAxis dataKey="label" tick={AXIS} tickLine={false} axisLine={false} interval={0} />
        <YAxis tick={AXIS} tickLine={false} axisLine={false} unit="%" />
        <Tooltip {...TOOLTIP_STYLE}
          labelFormatter={(l, p) => `Script ${l}: ${formatNumber(Number(p?.[0]?.payload?.contacts ?? 0))} contacts`}
          formatter={(v, name) => [`${formatNumber(Number(v))}%`, name]} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="conversion_rate" name="Got a deal" fill="var(--chart-1)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        <Bar dataKey="won_conversion_rate" name="Got a won deal" fill="var(--chart-2)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
