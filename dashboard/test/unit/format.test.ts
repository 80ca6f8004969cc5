// Formatting of SQL values for display: numbers as SQL returned them,
// durations in words, percentages, currency, and NULL as an em dash.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  NULL_TEXT, formatAge, formatCurrency, formatDelta, formatDuration, formatNumber, formatPercent,
  formatValue, humanize, toNumber,
} from "../../lib/format";
import { metricMeta, nullReason } from "../../lib/metric-meta";

test("numeric strings from Postgres become numbers; NULL and junk do not", () => {
  assert.equal(toNumber("12.50"), 12.5);
  assert.equal(toNumber("0"), 0);
  assert.equal(toNumber(null), null);
  assert.equal(toNumber(undefined), null);
  assert.equal(toNumber(""), null);
  assert.equal(toNumber("NaN"), null);
  assert.equal(toNumber("Infinity"), null);
});

test("counts are grouped, with no decimals added", () => {
  assert.equal(formatNumber("29000"), "29,000");
  assert.equal(formatNumber("0"), "0");
  assert.equal(formatValue("1234", "contacts"), "1,234");
  assert.equal(formatValue("7", "deals"), "7");
  assert.equal(formatValue("150", "calls"), "150");
});

test("percentages show the two decimals SQL rounded to, trailing zeros dropped", () => {
  assert.equal(formatPercent("24.49"), "24.49%");
  assert.equal(formatPercent("50.00"), "50%");
  assert.equal(formatPercent("0.00"), "0%");
  assert.equal(formatPercent("100.00"), "100%");
  assert.equal(formatValue("66.67", "percent"), "66.67%");
});

test("currency has two decimals and the configured currency", () => {
  assert.equal(formatCurrency("8588"), "$8,588.00");
  assert.equal(formatCurrency("1073.5"), "$1,073.50");
  assert.equal(formatCurrency("0"), "$0.00");
  assert.equal(formatCurrency("1234.5", { currency: "EUR", locale: "fr-FR" }).replace(/\s/g, " "), "1 234,50 €");
  assert.equal(formatValue("99.99", "currency", { currency: "EUR", locale: "en-US" }), "€99.99");
});

test("durations in words at the precision that matters", () => {
  assert.equal(formatDuration("0", "seconds"), "0 s");
  assert.equal(formatDuration("42", "seconds"), "42 s");
  assert.equal(formatDuration("4.5", "seconds"), "4.5 s");
  assert.equal(formatDuration("59.99", "seconds"), "60 s");
  assert.equal(formatDuration("60", "seconds"), "1 min 0 s");
  assert.equal(formatDuration("470.59", "seconds"), "7 min 51 s");
  assert.equal(formatDuration("3599.6", "seconds"), "1 h 00 min");
  assert.equal(formatDuration("368.63", "minutes"), "6 h 09 min");
  assert.equal(formatDuration("9.45", "hours"), "9 h 27 min");
  assert.equal(formatDuration("23.999", "hours"), "1 d 0 h");
  assert.equal(formatDuration("5.68", "days"), "5 d 16 h");
  assert.equal(formatDuration("1.999", "days"), "2 d 0 h");
  assert.equal(formatDuration("-2", "hours"), "-2 h 00 min");
  assert.equal(formatValue("90", "seconds"), "1 min 30 s");
  assert.throws(() => formatDuration("1", "weeks"));
});

test("NULL is an em dash in every unit, never 0", () => {
  for (const unit of ["contacts", "percent", "currency", "seconds", "minutes", "hours", "days", "months", "widgets"]) {
    assert.equal(formatValue(null, unit), NULL_TEXT, unit);
  }
  assert.equal(NULL_TEXT, "—");
  assert.equal(formatPercent(null), "—");
  assert.equal(formatCurrency(null), "—");
  assert.equal(formatDuration(null), "—");
  assert.equal(formatAge(null), "—");
});

test("a NULL metric says why", () => {
  assert.equal(nullReason("win_rate"), "no deals won or lost in this period");
  assert.equal(nullReason("average_deal_size"), "no won deals with an amount in this period");
  assert.equal(nullReason("contact_to_deal_conversion_rate"), "no new contacts in this period");
  assert.equal(nullReason("average_call_duration"), "no calls with a duration in this period");
  assert.equal(nullReason("some_new_metric"), "nothing to compute it from in this period");
  assert.equal(nullReason("call_connection_rate"), "no calls in this period");
});

test("1.2's call metrics have their section, not Other", () => {
  assert.equal(metricMeta("connected_calls").section, "calls");
  assert.equal(metricMeta("call_connection_rate").section, "calls");
  assert.equal(metricMeta("contacts_connected_by_phone").section, "contacts");
  assert.equal(metricMeta("contacts_connected_by_phone_rate").section, "contacts");
});

test("other units keep their name; months are short", () => {
  assert.equal(formatValue("4.50", "months"), "4.5 mo");
  assert.equal(formatValue("3", "widgets"), "3 widgets");
  assert.equal(formatValue("3", ""), "3");
});

test("the change against the previous period", () => {
  assert.deepEqual(formatDelta("110", "100", "contacts"), { text: "+10%", direction: "up" });
  assert.deepEqual(formatDelta("97", "99", "contacts"), { text: "−2%", direction: "down" });
  assert.deepEqual(formatDelta("24.74", "25.25", "percent"), { text: "−0.51 pts", direction: "down" });
  assert.deepEqual(formatDelta("5", "5", "deals"), { text: "no change", direction: "flat" });
  assert.deepEqual(formatDelta("3", "0", "deals"), { text: "new", direction: "up" });
  assert.deepEqual(formatDelta("1.5", "1", "hours"), { text: "+50%", direction: "up" });
  assert.deepEqual(formatDelta("1.05", "1", "hours"), { text: "+5%", direction: "up" });
  assert.deepEqual(formatDelta("1.055", "1", "hours"), { text: "+5.5%", direction: "up" });
  assert.equal(formatDelta(null, "3", "percent"), null);
  assert.equal(formatDelta("3", null, "percent"), null);
});

test("ages and names", () => {
  assert.equal(formatAge("30"), "just now");
  assert.equal(formatAge("660"), "11 min ago");
  assert.equal(formatAge("7200"), "2 h ago");
  assert.equal(formatAge("259200"), "3 d ago");
  assert.equal(humanize("average_time_to_sale"), "Average time to sale");
  assert.equal(metricMeta("brand_new_metric").title, "Brand new metric");
  assert.equal(metricMeta("brand_new_metric").section, "other");
  assert.equal(metricMeta("win_rate").section, "deals");
});
