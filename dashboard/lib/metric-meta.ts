// What the page knows about each metric beyond what hubspot_metrics()
// returns: a short title, the section it belongs to, which way is good, and
// why it is NULL when it is (a rate or average with nothing to divide by).
// The value, unit and definition always come from SQL; a metric this file
// does not know (a newer extension's) is still shown, under "Other", with a
// title made from its name.

import { humanize } from "./format";

export type Section = "contacts" | "deals" | "calls" | "other";

export interface MetricMeta {
  title: string;
  section: Section;
  /** A rise is bad news (time to sale, lost deals). */
  lowerIsBetter?: boolean;
  /** Shown after the em dash when the value is NULL. */
  nullReason?: string;
}

const META: Record<string, MetricMeta> = {
  new_contacts: { title: "New contacts", section: "contacts" },
  contacts_with_deal: { title: "Contacts with a deal", section: "contacts" },
  contact_to_deal_conversion_rate: { title: "Contact → deal conversion", section: "contacts",
    nullReason: "no new contacts in this period" },
  vsl_watched_rate: { title: "Watched the VSL", section: "contacts", nullReason: "no new contacts in this period" },
  conversion_rate_vsl_watched: { title: "Conversion, VSL watched", section: "contacts",
    nullReason: "no new contact watched the VSL in this period" },
  conversion_rate_vsl_not_watched: { title: "Conversion, VSL not watched", section: "contacts",
    nullReason: "every new contact watched the VSL, or there were none" },
  contacts_reached_by_phone: { title: "Contacts reached by phone", section: "contacts" },
  contacts_reached_by_phone_rate: { title: "Reached by phone", section: "contacts",
    nullReason: "no new contacts in this period" },
  contacts_connected_by_phone: { title: "Contacts connected by phone", section: "contacts" },
  contacts_connected_by_phone_rate: { title: "Connected by phone", section: "contacts",
    nullReason: "no new contacts in this period" },
  average_time_to_first_contact: { title: "Time to first call", section: "contacts", lowerIsBetter: true,
    nullReason: "no contact created in this period was reached by phone" },
  total_deals: { title: "Deals created", section: "deals" },
  deals_won: { title: "Deals won", section: "deals" },
  deals_lost: { title: "Deals lost", section: "deals", lowerIsBetter: true },
  win_rate: { title: "Win rate", section: "deals", nullReason: "no deals won or lost in this period" },
  total_sales: { title: "Sales", section: "deals" },
  average_deal_size: { title: "Average deal size", section: "deals",
    nullReason: "no won deals with an amount in this period" },
  average_time_to_sale: { title: "Time to sale", section: "deals", lowerIsBetter: true,
    nullReason: "no won deals in this period" },
  qualified_rate: { title: "Qualified", section: "deals", nullReason: "no deals created in this period" },
  trial_rate: { title: "In trial", section: "deals", nullReason: "no deals created in this period" },
  paying_share: { title: "Still paying", section: "deals", nullReason: "no won deals in this period" },
  average_installments: { title: "Average installments", section: "deals",
    nullReason: "no won deals with a number of installments in this period" },
  total_calls: { title: "Calls", section: "calls" },
  inbound_calls: { title: "Inbound calls", section: "calls" },
  outbound_calls: { title: "Outbound calls", section: "calls" },
  average_call_duration: { title: "Average call", section: "calls",
    nullReason: "no calls with a duration in this period" },
  total_call_time: { title: "Time on the phone", section: "calls" },
  calls_5_minutes_or_more: { title: "Calls of 5 min or more", section: "calls" },
  connected_calls: { title: "Connected calls", section: "calls" },
  call_connection_rate: { title: "Call connection rate", section: "calls", nullReason: "no calls in this period" },
};

export const SECTION_TITLES: Record<Section, string> = {
  contacts: "Contacts",
  deals: "Deals",
  calls: "Calls",
  other: "Other",
};

export function metricMeta(name: string): MetricMeta {
  return META[name] ?? { title: humanize(name), section: "other" };
}

/** Why a metric is NULL, for the text after the em dash. */
export function nullReason(name: string): string {
  return metricMeta(name).nullReason ?? "nothing to compute it from in this period";
}
