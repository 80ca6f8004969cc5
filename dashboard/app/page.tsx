// The sales dashboard: every metric of hubspot_metrics() for the chosen
// range, the breakdowns as charts, and the sync's health.  Rendered on the
// server for each request; the numbers are the SQL functions' own.

import { AlertTriangle, Info } from "lucide-react";
import { CallsWeekChart, CategoryChart, ContactsWeekChart, ScriptChart, StageChart, TrendChart } from "@/components/charts";
import { ChartCard, type DataTable } from "@/components/chart-card";
import { MetricCard } from "@/components/metric-card";
import { RangePicker } from "@/components/range-picker";
import { SyncPanel, SyncStrip } from "@/components/sync-panel";
import { TooltipProvider } from "@/components/ui/tooltip";
import { NULL_TEXT, formatCurrency, formatNumber, formatPercent, formatValue, humanize, toNumber,
         type FormatOptions } from "@/lib/format";
import { SECTION_TITLES, metricMeta, nullReason, type Section } from "@/lib/metric-meta";
import { loadDashboard, type Metric, type Row, type Table } from "@/lib/queries";
import { addDays, formatDay, rangeHref } from "@/lib/range";
import { staleAfterSeconds, syncHealth } from "@/lib/sync-health";

export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const num = (v: string | null | undefined) => toNumber(v) ?? 0;
const first = (row: Row, names: string[]) => names.map((n) => row[n]).find((v) => v !== undefined && v !== null) ?? null;

export default async function Page({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const data = await loadDashboard(params);
  const fmt: FormatOptions = {
    locale: process.env.DASHBOARD_LOCALE || "en-US",
    currency: process.env.DASHBOARD_CURRENCY || "USD",
  };
  const staleAfter = staleAfterSeconds();
  const { range } = data;
  const byName = new Map(data.metrics.map((m) => [m.name, m]));
  const metric = (n: string) => byName.get(n)?.value ?? null;
  const comparedWith = `previous ${range.days} days`;
  const problems = data.status.filter((r) => ["failed", "stale", "never"].includes(syncHealth(r, staleAfter)));

  const sections = new Map<Section, Metric[]>();
  for (const m of data.metrics) {
    const s = metricMeta(m.name).section;
    sections.set(s, [...(sections.get(s) ?? []), m]);
  }

  return (
    <TooltipProvider>
      <main className="mx-auto flex max-w-7xl flex-col gap-6 px-4 py-6 sm:px-6"
        data-window-start={range.from} data-window-end={range.to}
        data-previous-start={range.prevFrom} data-previous-end={range.prevTo}
        data-timezone={data.timezone} data-pipeline={data.pipeline ?? ""}>
        <header className="flex flex-col gap-4">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <div>
              <h1 className="text-2xl font-semibold tracking-tight">Sales dashboard</h1>
              <p className="text-sm text-muted-foreground" data-testid="range-label">
                {range.key === "custom" ? "" : `${range.label}: `}{formatDay(range.from)} – {formatDay(range.lastDay)}
                <span className="hidden sm:inline"> · compared with {formatDay(range.prevFrom)} – {formatDay(addDays(range.prevTo, -1))}</span>
              </p>
            </div>
            <SyncStrip rows={data.status} staleAfter={staleAfter} />
          </div>
          <RangePicker range={range} pipelines={data.pipelines} pipeline={data.pipeline} />
        </header>

        {range.error && <Notice tone="warning">{range.error} Showing the last 30 days instead.</Notice>}
        {problems.length > 0 && (
          <Notice tone="danger" testId="sync-alert">
            {problems.map((r) => {
              const h = syncHealth(r, staleAfter);
              return (
                <span key={r.object_type} className="block">
                  <strong>{humanize(r.object_type)}</strong>{" "}
                  {h === "failed" ? <>sync failed{r.last_finished_at ? ` at ${r.last_finished_at}` : ""}{r.last_error ? `: ${r.last_error}` : "."}</>
                    : h === "never" ? "have never been synced."
                    : <>are stale: the last successful sync was {r.last_success_at ? `at ${r.last_success_at}` : "never"}.</>}
                </span>
              );
            })}
          </Notice>
        )}
        {data.extent && <EmptyNotice extent={data.extent} pipeline={data.pipeline} />}

        {(["contacts", "deals", "calls", "other"] as Section[]).filter((s) => sections.has(s)).map((s) => (
          <section key={s} aria-labelledby={`h-${s}`} className="flex flex-col gap-3">
            <h2 id={`h-${s}`} className="text-sm font-semibold uppercase tracking-wide text-muted-foreground">{SECTION_TITLES[s]}</h2>
            <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-5">
              {sections.get(s)!.map((m) => {
                const meta = metricMeta(m.name);
                return (
                  <MetricCard key={m.name} name={m.name} title={meta.title} value={m.value} previous={m.previous}
                    unit={m.unit} description={m.description} nullReason={nullReason(m.name)}
                    lowerIsBetter={meta.lowerIsBetter} comparedWith={comparedWith} format={fmt} />
                );
              })}
            </div>
          </section>
        ))}

        <section aria-label="Charts" className="grid grid-cols-1 gap-4 lg:grid-cols-2">
          {data.stages && <StagesCard stages={data.stages} fmt={fmt} />}
          {data.weeks && <TrendCard weeks={data.weeks} fmt={fmt} />}
          {data.weeks && <ContactsWeekCard weeks={data.weeks} />}
          {data.scripts && <ScriptsCard scripts={data.scripts} />}
          {data.payment && <PaymentCard payment={data.payment} fmt={fmt} />}
          <CallsCard metric={metric} fmt={fmt} />
          {data.weeks && <CallsWeekCard weeks={data.weeks} />}
          <FollowUpCard metric={metric} previous={(n) => byName.get(n)?.previous ?? null} has={(n) => byName.has(n)} fmt={fmt} />
          {data.owners && <OwnersCard owners={data.owners} fmt={fmt} />}
        </section>

        <SyncPanel rows={data.status} staleAfter={staleAfter} />

        <footer className="pb-4 text-xs text-muted-foreground">
          Figures from hubspot_metrics() and its breakdowns (hubspot_sync {data.version}), days in time zone {data.timezone}.
          Hover or focus a figure for its definition.
        </footer>
      </main>
    </TooltipProvider>
  );
}

function Notice({ tone, children, testId }: { tone: "warning" | "danger" | "info"; children: React.ReactNode; testId?: string }) {
  const cls = tone === "danger" ? "border-destructive/40 bg-destructive/10 text-destructive"
    : tone === "warning" ? "border-warning/40 bg-warning/10 text-warning" : "border-info/30 bg-info/10 text-info";
  const Icon = tone === "info" ? Info : AlertTriangle;
  return (
    <div role={tone === "danger" ? "alert" : "status"} data-testid={testId}
      className={`flex gap-2 rounded-lg border px-4 py-3 text-sm ${cls}`}>
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden />
      <div className="min-w-0 break-words">{children}</div>
    </div>
  );
}

function EmptyNotice({ extent, pipeline }: { extent: { first: string | null; last: string | null }; pipeline: string | null }) {
  if (!extent.first || !extent.last) {
    return (
      <Notice tone="info" testId="empty-database">
        There is no HubSpot data in this database yet. Run <code>SELECT hubspot_sync_all();</code> (or wait for the
        scheduler), then reload.
      </Notice>
    );
  }
  const lastDay = addDays(extent.last, 6);
  const from = addDays(lastDay, -89) > extent.first ? addDays(lastDay, -89) : extent.first;
  return (
    <Notice tone="info" testId="empty-range">
      Nothing in this period. The data covers the weeks of {formatDay(extent.first)} to {formatDay(extent.last)}:{" "}
      <a className="font-medium underline" href={rangeHref("custom", { pipeline: pipeline ?? undefined }, { from, to: lastDay })}>
        show its last 90 days
      </a>.
    </Notice>
  );
}

function StagesCard({ stages, fmt }: { stages: Table; fmt: FormatOptions }) {
  // 1.2 returns pipeline_id, pipeline_label and stage_label; 1.1 only the
  // stage id.  The pipeline is named only when the rows span several.
  const pipelineOf = (r: Row) => first(r, ["pipeline_label", "pipeline_id", "pipeline"]) ?? "(no pipeline)";
  const several = new Set(stages.rows.map(pipelineOf)).size > 1;
  const label = (r: Row) => {
    const stage = first(r, ["stage_label", "dealstage"]) ?? "(no stage)";
    return several ? `${pipelineOf(r)}: ${stage}` : stage;
  };
  const key = (r: Row) => {
    const p = first(r, ["pipeline_id", "pipeline"]);
    return p === null ? (r.dealstage ?? "") : `${p}/${r.dealstage ?? ""}`;
  };
  const table: DataTable = {
    headers: ["Stage", "Outcome", "Deals", "Share", "Total amount", "Average amount"],
    rows: stages.rows.map((r) => [label(r), r.outcome ?? "", formatNumber(r.deals), formatPercent(r.share),
                                  formatCurrency(r.total_amount, fmt), formatCurrency(r.average_amount, fmt)]),
  };
  return (
    <ChartCard id="deal-stages" title="Deals per stage" table={table}
      description="Deals created in the period, by their current stage (won green, lost red, open blue)">
      <StageChart data={stages.rows.map((r) => ({ key: key(r), label: label(r), deals: num(r.deals), outcome: r.outcome ?? "open" }))} />
    </ChartCard>
  );
}

function OwnersCard({ owners, fmt }: { owners: Table; fmt: FormatOptions }) {
  const name = (r: Row) => {
    const n = r.owner_name ?? r.email ?? (r.owner_id === null ? "(no owner)" : `Owner ${r.owner_id}`);
    return r.archived === "true" || (r.archived as unknown) === true ? `${n} (archived)` : n;
  };
  const table: DataTable = {
    headers: ["Owner", "Deals won", "Sales", "Calls", "Connected calls", "Minutes on the phone"],
    rows: owners.rows.map((r) => [name(r), formatNumber(r.deals_won), formatCurrency(r.total_sales, fmt),
                                  formatNumber(r.calls), formatNumber(r.connected_calls), formatNumber(r.call_minutes)]),
  };
  const active = owners.rows.filter((r) => num(r.total_sales) > 0);
  return (
    <ChartCard id="owners" title="Per sales rep" table={table} empty="No owners and nothing owned in this period."
      className="lg:col-span-2"
      description="Deals won and sales by the deal's owner, calls by the call's owner (bars: sales)">
      <CategoryChart unit="sales" layout="vertical" currency={fmt} data={active.map((r) => ({
        label: name(r), value: num(r.total_sales), color: "var(--chart-2)",
      }))} />
    </ChartCard>
  );
}

function TrendCard({ weeks, fmt }: { weeks: Table; fmt: FormatOptions }) {
  const table: DataTable = {
    headers: ["Week of", "Deals created", "Deals won", "Deals lost", "Sales"],
    rows: weeks.rows.map((r) => [r.week ?? "", formatNumber(r.new_deals),
                                 formatNumber(r.deals_won), formatNumber(r.deals_lost), formatCurrency(r.total_sales, fmt)]),
  };
  return (
    <ChartCard id="weekly-trend" title="Deals and sales per week" table={table}
      description="Deals created and won (left axis), sales (right axis), per week starting Monday">
      <TrendChart format={fmt} data={weeks.rows.map(weekDatum)} />
    </ChartCard>
  );
}

function ContactsWeekCard({ weeks }: { weeks: Table }) {
  const table: DataTable = {
    headers: ["Week of", "New contacts"],
    rows: weeks.rows.map((r) => [r.week ?? "", formatNumber(r.new_contacts)]),
  };
  return (
    <ChartCard id="weekly-contacts" title="New contacts per week" table={table}
      description="Contacts created per week starting Monday">
      <ContactsWeekChart data={weeks.rows.map(weekDatum)} />
    </ChartCard>
  );
}

function weekDatum(r: Row) {
  return {
    week: r.week ?? "", new_contacts: num(r.new_contacts), new_deals: num(r.new_deals), deals_won: num(r.deals_won),
    total_sales: num(r.total_sales), calls: num(r.calls), call_minutes: num(r.call_minutes),
  };
}

function ScriptsCard({ scripts }: { scripts: Table }) {
  const table: DataTable = {
    headers: ["Script version", "Contacts", "With a deal", "Conversion", "With a won deal", "Won conversion"],
    rows: scripts.rows.map((r) => [r.sales_script_version ?? "(none)", formatNumber(r.contacts), formatNumber(r.contacts_with_deal),
                                   formatPercent(r.conversion_rate), formatNumber(r.contacts_with_won_deal),
                                   formatPercent(r.won_conversion_rate)]),
  };
  return (
    <ChartCard id="script-versions" title="Sales script A/B test" table={table}
      description="Contacts created in the period, per sales script version: the share that got a deal, and a won deal">
      <ScriptChart data={scripts.rows.map((r) => ({
        label: r.sales_script_version ?? "(none)", contacts: num(r.contacts),
        conversion_rate: toNumber(r.conversion_rate), won_conversion_rate: toNumber(r.won_conversion_rate),
      }))} />
    </ChartCard>
  );
}

function PaymentCard({ payment, fmt }: { payment: Table; fmt: FormatOptions }) {
  const yes = (r: Row) => r.paying === "true" || (r.paying as unknown) === true;
  const table: DataTable = {
    headers: ["Payment status", "Counts as paying", "Deals", "Share", "Total amount"],
    rows: payment.rows.map((r) => [r.payment_status ?? "(none)", yes(r) ? "yes" : "no", formatNumber(r.deals),
                                   formatPercent(r.share), formatCurrency(r.total_amount, fmt)]),
  };
  return (
    <ChartCard id="payment-status" title="Payment status of won deals" table={table} empty="No deals won in this period."
      description="Deals won in the period, per payment status (green: counts as paying)">
      <CategoryChart unit="deals" layout="vertical" data={payment.rows.map((r) => ({
        label: r.payment_status ?? "(none)", value: num(r.deals), color: yes(r) ? "var(--chart-2)" : "var(--chart-muted)",
      }))} />
    </ChartCard>
  );
}

function CallsCard({ metric, fmt }: { metric: (n: string) => string | null; fmt: FormatOptions }) {
  const rows = [["Inbound", metric("inbound_calls")], ["Outbound", metric("outbound_calls")]] as const;
  const total = num(metric("total_calls"));
  const table: DataTable = {
    headers: ["Direction", "Calls"],
    rows: total === 0 ? [] : rows.map(([l, v]) => [l, formatNumber(v)]),
  };
  const avg = metric("average_call_duration");
  return (
    <ChartCard id="call-direction" title="Inbound and outbound calls" table={table} empty="No calls in this period."
      description={`${formatNumber(total)} calls; average ${avg === null ? NULL_TEXT : formatValue(avg, "seconds", fmt)}, ${formatNumber(metric("calls_5_minutes_or_more"))} of 5 min or more, ${formatValue(metric("total_call_time"), "minutes", fmt)} in all`}>
      <CategoryChart unit="calls" layout="vertical" data={rows.map(([l, v], i) => ({
        label: l, value: num(v), color: i === 0 ? "var(--chart-3)" : "var(--chart-1)",
      }))} />
    </ChartCard>
  );
}

function CallsWeekCard({ weeks }: { weeks: Table }) {
  const rows = weeks.rows.filter((r) => num(r.calls) > 0 || num(r.call_minutes) > 0);
  const table: DataTable = {
    headers: ["Week of", "Calls", "Minutes on the phone"],
    rows: rows.map((r) => [r.week ?? "", formatNumber(r.calls), formatNumber(r.call_minutes)]),
  };
  return (
    <ChartCard id="calls-weekly" title="Calls per week" table={table} empty="No calls in this period."
      description="Calls (bars, left axis) and their total minutes (line, right axis), per week">
      <CallsWeekChart data={weeks.rows.map(weekDatum)} />
    </ChartCard>
  );
}

function FollowUpCard({ metric, previous, has, fmt }:
  { metric: (n: string) => string | null; previous: (n: string) => string | null; has: (n: string) => boolean;
    fmt: FormatOptions }) {
  const steps = [
    ["New contacts", "new_contacts", null],
    ["Reached by phone", "contacts_reached_by_phone", "contacts_reached_by_phone_rate"],
    ["Connected by phone", "contacts_connected_by_phone", "contacts_connected_by_phone_rate"],
    ["Got a deal", "contacts_with_deal", "contact_to_deal_conversion_rate"],
  ] as const;
  // 1.1 has no connected metrics: leave its step out.
  const shown = steps.filter(([, n]) => has(n));
  const newContacts = num(metric("new_contacts"));
  const table: DataTable = {
    headers: ["Step", "Contacts", "Share of new contacts"],
    rows: newContacts === 0 ? [] : shown.map(([l, n, rate]) => [l, formatNumber(metric(n)), rate ? formatPercent(metric(rate)) : ""]),
  };
  const t = metric("average_time_to_first_contact");
  const tp = previous("average_time_to_first_contact");
  return (
    <ChartCard id="follow-up" title="Speed to lead" table={table} empty="No new contacts in this period."
      description={`Time to first call: ${t === null ? `${NULL_TEXT} (${nullReason("average_time_to_first_contact")})` : formatValue(t, "hours", fmt)}` +
        (tp === null ? "" : `; previous period ${formatValue(tp, "hours", fmt)}`)}>
      <CategoryChart unit="contacts" layout="vertical" data={shown.map(([l, n], i) => ({
        label: l, value: num(metric(n)), color: ["var(--chart-1)", "var(--chart-3)", "var(--chart-5)", "var(--chart-2)"][i],
      }))} />
    </ChartCard>
  );
}
