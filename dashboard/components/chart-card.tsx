"use client";

// A chart with its numbers as a table: the table is always in the page
// (screen readers read it; the chart itself is hidden from them), and the
// "Table" button shows it for reading and copying.

import * as React from "react";
import { Table as TableIcon, BarChart3 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { cn } from "@/lib/utils";

export interface DataTable {
  headers: string[];
  rows: string[][];
}

export function ChartCard({ id, title, description, table, empty, children, className }: {
  id: string;
  title: string;
  description?: string;
  table: DataTable;
  empty?: string;
  children: React.ReactNode;
  className?: string;
}) {
  const [showTable, setShowTable] = React.useState(false);
  const tableId = `${id}-table`;
  const isEmpty = table.rows.length === 0;
  return (
    <Card data-chart={id} className={cn("min-w-0", className)}>
      <CardHeader className="flex-row items-start gap-2">
        <div className="flex flex-col gap-1">
          <CardTitle>{title}</CardTitle>
          {description && <CardDescription>{description}</CardDescription>}
        </div>
        {!isEmpty && (
          <CardAction>
            <Button variant="ghost" size="xs" aria-controls={tableId} aria-pressed={showTable}
              onClick={() => setShowTable((v) => !v)}>
              {showTable ? <BarChart3 aria-hidden /> : <TableIcon aria-hidden />}
              {showTable ? "Chart" : "Table"}
            </Button>
          </CardAction>
        )}
      </CardHeader>
      <CardContent>
        {isEmpty ? (
          <p className="py-10 text-center text-sm text-muted-foreground">{empty ?? "Nothing in this period."}</p>
        ) : (
          <>
            {!showTable && <div aria-hidden className="h-64 w-full">{children}</div>}
            <div id={tableId} className={showTable ? "max-h-64 overflow-auto" : "sr-only"}>
              <Table>
                <TableCaption className="sr-only">{title}</TableCaption>
                <TableHeader>
                  <TableRow>
                    {table.headers.map((h, i) => (
                      <TableHead key={h} className={i > 0 ? "text-right" : ""}>{h}</TableHead>
                    ))}
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {table.rows.map((row, r) => (
                    <TableRow key={r}>
                      {row.map((cell, i) => (
                        <TableCell key={i} className={i > 0 ? "text-right tabular-nums" : ""}>{cell}</TableCell>
                      ))}
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          </>
        )}
      </CardContent>
    </Card>
  );
}
