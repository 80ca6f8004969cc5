#!/usr/bin/env python3
"""Mock of the HubSpot CRM API for the hubspot_sync tests.

Faithful to /work/shared/hubspot-api.md and, where they say more, to the
recorded answers in ../shared/hubspot-fixtures: string-encoded property
values, cursor paging on list endpoints, offset paging (capped at 10,000) on
search, ids above 2^31, datetimes with milliseconds and, when those are
zero, without (as HubSpot's Java prints them), a "url" on every record,
property definitions with their real types (string, number, datetime, date,
enumeration, bool) and options, HubSpot's error bodies (429s with
errorType/policyName and no category; 403 MISSING_SCOPES naming
requiredScopes), X-HubSpot-RateLimit-* headers (Daily, Interval, Max,
Secondly, with their Remaining) on every answer.  Associations as HubSpot
gives them: v3 lists name an id once per association type (unlabelled
contact_to_deal, and decision_maker / budget_holder for labelled pairs); v4
batch reads give one entry per target with all its associationTypes
(HUBSPOT_DEFINED, label null; USER_DEFINED, labelled) and toObjectId a JSON
number, and answer 207 with a NO_ASSOCIATIONS_FOUND error for an id with
none; GET /crm/v3/associations/{from}/{to}/types pairs v4 typeIds with v3
names.  Standard library only.

Object types: contacts, deals, calls, and since the object registry
companies (0-2), tickets (0-5), meetings (0-47) and one custom object, "cars"
(objectTypeId 2-7654321, fullyQualifiedName p146987325_cars, 146987325
being the portal id of every record's url).  Each is served alike by
GET /crm/v3/objects/{type} (live, or archived=true), POST .../search,
GET /crm/v3/properties/{type}, the v4 batch read and the v3 types endpoint,
under its name, its singular (company, ticket, meeting) or its type id;
the custom object under its type id or fully qualified name only (as
HubSpot: its bare name is refused), and in embedded associations it is
keyed by its fully qualified name.  Scopes (for 403s): companies
crm.objects.companies.read, tickets "tickets", meetings (as calls)
crm.objects.contacts.read, cars crm.objects.custom.read.
  Data: the first three as always; the later ones generated after them with
  RNGs of their own (contacts, deals and calls answer byte for byte as they
  did), from the size: companies max(12, contacts / 20), tickets max(12,
  deals / 10), meetings max(12, calls / 2), cars max(12, contacts / 100)
  (default data set: 12, 12, 15, 12; /_size/29000x1000x200: 1450, 100,
  100, 290); one record in ten archived (#3, #13, ...).  Id bands:
  companies 20000+ / 5200000000+ / 31415920000+, tickets 30000+ /
  6300000000+ / 271828180000+, meetings 40000+ / 7400000000+ /
  66260700000+, cars 50000+ / 8500000000+ / 16021760000+ (short ids, just
  above 2^31, 11-12 digits, as the others).
  Associations, both ways, with HubSpot's HUBSPOT_DEFINED typeIds:
  companies-contacts (contact_to_company 279 unlabelled, and 1 "Primary"
  for a contact's primary company, its first; company_to_contact 280 / 2),
  companies-deals (deal_to_company 341 / 5, company_to_deal 342 / 6; v3
  names the primary type contact_to_company and the other one
  contact_to_company_unlabeled, as recorded), tickets-contacts
  (ticket_to_contact 16, contact_to_ticket 15), tickets-deals
  (ticket_to_deal 28, deal_to_ticket 27), meetings-contacts
  (meeting_event_to_contact 200, contact_to_meeting_event 199),
  meetings-deals (meeting_event_to_deal 212, deal_to_meeting_event 211);
  the custom object's are the portal's own, USER_DEFINED with label null:
  cars_to_contact 1051, contact_to_cars 1052, cars_to_deal 1053,
  deal_to_cars 1054.  Any other pair of types has no associations (none
  embedded, NO_ASSOCIATIONS_FOUND in v4 reads, no types).
GET /crm/v3/pipelines/tickets lists HubSpot's default support pipeline "0"
with stages "1" New, "2" Waiting on contact, "3" Waiting on us, "4" Closed
(metadata {"ticketState": "OPEN"|"CLOSED"} alone, as HubSpot's pipeline
examples show it: no isClosed, no probability); GET /crm/v3/pipelines/2-7654321 (or p146987325_cars) has
none ({"results": []}).  GET /crm/v3/schemas (scope crm.schemas.custom.read)
lists the custom object's schema: names, labels, ids, display, required and
searchable properties, its property definitions as GET /crm/v3/properties
gives them, its association definitions (both directions, the typeId as
"id"), metaType PORTAL_SPECIFIC; archived=true lists the archived schemas
(none).

Tests switch behaviour per run through the base URL only: before /crm/... the
path may carry segment pairs, in any order:
  /_fault/<spec>   '+'-separated faults [TYPE.][ENDPOINT.]KIND[*count][@page],
                   TYPE: contacts deals calls companies tickets meetings cars
                   (or 2-7654321 or p146987325_cars); ENDPOINT: list search
                   associations properties pipelines owners schemas;
                   KIND: 500 502 503 504 400 404
                   403 (MISSING_SCOPES, naming the endpoint's scopes in
                   errors[].context.requiredScopes, as recorded; schemas:
                   crm.schemas.custom.read) 429 429noretry (no
                   Retry-After) 429daily (the daily limit) slow<ms>
                   malformed badrecord shuffled (a page's results in reverse) drop
                   unstorable (the first record's name-like property ends with
                   \u0000, a lone high and a lone low surrogate escape, a
                   surrogate pair and a literal backslash-u0000)
                   stuckcursor (lists: paging.next.after, and its link, is the
                   cursor the request carried, even on the last page; a request
                   without one gets the page's usual cursor, none if the list
                   fits one page; results unchanged)
                   emptypages (lists: "results": [] and a new cursor each time,
                   standing for 38 digits: 999999, a 12-digit serial, the
                   20-digit cursor of the page it stands for (0: the first);
                   once the fault stops firing, that cursor gets that page)
                   badutf8 (lists, search: the first record's name-like property,
                   firstname dealname hs_call_title name subject
                   hs_meeting_title or model, the first in the answer, ends
                   with the bytes ' Zo' C3 AB '|' FF '|' C0 AF '|' E2 82 '|'
                   ED A0 80 '|Zo' C3 AB: valid 'Zoë' around 4 invalid sequences,
                   a lone FF, an overlong '/', a 3-byte sequence cut short, a
                   UTF-16 surrogate; one U+FFFD per sequence gives 4, one per
                   maximal subpart (Unicode's practice, Python's) 7)
                   badids (lists, search: 4 records appended, well-formed but
                   for "id": the object {"value": "123"}, a string of 10,000
                   digits ("1234567890" 1,000 times), "12a45", the number
                   987654; hs_object_id holds the id as text, 123 for the
                   object; the page's other properties null, dates 2024-01-01)
                   huge<MB> (valid JSON of more than MB MiB: the first record's
                   properties, or the answer itself if it has no record, gain
                   hs_padding, MB x 1,048,576 'x'; sent in 1 MiB pieces)
                   echotoken (HTTP 400 whose message quotes the Authorization
                   header's token back, as a careless proxy or API might)
                   movemidread (search: the first record of the first answer
                   under this prefix is modified right after it, at
                   MOVED_TIME: every later search sees it there, so offset
                   paging over the same query skips the record that slides
                   into its place)
                   oddprops (properties: one more definition, odd_flags,
                   whose "hidden" is "sometimes" and "calculated" the number 1)
                   assocerrors (associations: HTTP 207, every second id of
                   the batch unread, in "errors" with category
                   INTERNAL_ERROR and context.fromObjectId, not in
                   "results").
                   *count is counted per whole prefix string; a KIND marked
                   "lists:" or "lists, search:" fires, and counts, there only.
                   @page (1-based) matches list pages (from the cursor) and search
                   pages (from the offset) only; for stuckcursor and emptypages
                   it means from that page on, so without *count the list never
                   ends.
  /_version/2      contact #1 renamed, deal #0 won for 9999.99, one new contact;
                   all three modified 2025-07-01, after every version-1 time.
                   Of each later type, record #1 changed (company
                   numberofemployees 260, ticket hs_ticket_priority HIGH,
                   meeting hs_meeting_outcome COMPLETED, car price 17990)
                   and one new record (associated like the others), on
                   2025-07-01 at 17:00 and 17:20 (companies), 18:00/18:20
                   (tickets), 19:00/19:20 (meetings), 20:00/20:20 (cars).
  /_version/3      version 2, and contact #9 restored from the archive, contact #0
                   archived, contact #4 gone for good (listed nowhere), contact
                   #6 merged into #3 and deal #5 into deal #2 (the survivor lists
                   the merged id in hs_merged_object_ids); and record #0 of
                   each later type archived at its type's hour and 40
                   minutes.  Links of the later types to a merged contact or
                   deal move to the survivor.
  /_version/9      version 1 with every record modified at the same instant
                   (the later types' too).
  /_size/AxBxC     data set of A contacts, B deals, C calls (and the later
                   types sized from them, see above).
  /_assocpage/N    a record's association list comes N ids a page, in list
                   answers and in v4 batch reads alike (default: 100 in
                   lists, 500 in v4 reads).
  /_pipelines/2    a second deal pipeline, "Renewals" (numeric pipeline and stage
                   ids, one archived stage), holding every fourth deal, its
                   stage mapped to one of that pipeline's.
  /_run/<name>     only makes the prefix (and so the *count counters) unique.
GET /crm/v3/pipelines/deals lists the pipelines with their stages (metadata
values are strings, "isClosed": "true", "probability": "1.0").  GET
/crm/v3/owners pages --owners owners (limit up to 500, opaque cursor); every
fifth is deactivated and listed only with archived=true.  Records carry
hubspot_owner_id, one of the first six owners or null.
List cursors are opaque, as HubSpot's: the base64 of the next id,
percent-encoded ('=' as %3D) like the spec's example NTI1Cg%3D%3D, in
paging.next.after and in its link alike.  A client must pass it back as it
is; one encoded a second time (%253D) is refused with 400.
GET /_mock/stats and POST /_mock/stats/reset need no token.
--request-log FILE appends a JSON line per API request: method, path (with
prefix and query), body (parsed JSON, or null; body_raw too if not JSON),
status (a number, or "drop" or "gone" when no answer went out).
"""

import argparse
import base64
import binascii
import bisect
import collections
import json
import math
import random
import re
import select
import signal
import socket
import sys
import threading
import time
import unicodedata
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

# ----------------------------------------------------------------------------
# Object types and property catalogues
# ----------------------------------------------------------------------------

# The custom object: its type id and fully qualified name (p<portal>_<name>)
# address it in every URL, and the fully qualified name keys it in embedded
# associations; its bare name "cars" does not (HubSpot answers "Unable to
# infer object type from: cars"), but names it in the mock (faults, stats).
PORTAL_ID = 146987325
CARS_TYPE_ID = "2-7654321"
CARS_FQN = f"p{PORTAL_ID}_cars"

TYPES = ("contacts", "deals", "calls", "companies", "tickets", "meetings", "cars")
TYPE_ALIASES = {"contacts": "contacts", "contact": "contacts", "0-1": "contacts",
                "deals": "deals", "deal": "deals", "0-3": "deals",
                "calls": "calls", "call": "calls", "0-48": "calls",
                "companies": "companies", "company": "companies", "0-2": "companies",
                "tickets": "tickets", "ticket": "tickets", "0-5": "tickets",
                "meetings": "meetings", "meeting": "meetings", "0-47": "meetings",
                CARS_TYPE_ID: "cars", CARS_FQN: "cars"}
SINGULAR = {"contacts": "contact", "deals": "deal", "calls": "call", "companies": "company",
            "tickets": "ticket", "meetings": "meeting", "cars": "car"}
MODIFIED_PROP = {"contacts": "lastmodifieddate", "deals": "hs_lastmodifieddate",
                 "calls": "hs_lastmodifieddate", "companies": "hs_lastmodifieddate",
                 "tickets": "hs_lastmodifieddate", "meetings": "hs_lastmodifieddate",
                 "cars": "hs_lastmodifieddate"}
DEFAULT_PROPS = {
    "contacts": ["createdate", "email", "firstname", "lastname", "lastmodifieddate", "hs_object_id"],
    "deals": ["amount", "closedate", "createdate", "dealname", "dealstage",
              "hs_lastmodifieddate", "hs_object_id", "pipeline"],
    "calls": ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"],
    "companies": ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
    "tickets": ["content", "createdate", "hs_lastmodifieddate", "hs_object_id", "hs_pipeline",
                "hs_pipeline_stage", "hs_ticket_priority", "subject"],
    "meetings": ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"],
    "cars": ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"],
}
# A type's key in a record's embedded "associations": its plural name, and
# for a custom object its fully qualified name.
ASSOC_KEY = {"cars": CARS_FQN}
# A record's associations, per page: embedded in list answers, and per
# record in v4 batch reads (each with its own paging.next.after).
LIST_ASSOC_PAGE = 100
V4_ASSOC_PAGE = 500
# The portal's association definitions, (from, to) -> [(v3 name, v4
# category, v4 typeId, v4 label)]: the unlabelled HUBSPOT_DEFINED type
# first, then the USER_DEFINED labels (HubSpot has labels between
# contacts and deals, none with calls).  GET /crm/v3/associations/{from}/
# {to}/types lists (typeId, v3 name): the only place HubSpot pairs the two.
ASSOC_DEFS = {
    ("contacts", "deals"): [("contact_to_deal", "HUBSPOT_DEFINED", 4, None),
                            ("decision_maker", "USER_DEFINED", 37, "Decision maker"),
                            ("budget_holder", "USER_DEFINED", 39, "Budget holder")],
    ("deals", "contacts"): [("deal_to_contact", "HUBSPOT_DEFINED", 3, None),
                            ("decision_maker", "USER_DEFINED", 38, "Decision maker"),
                            ("budget_holder", "USER_DEFINED", 40, "Budget holder")],
    ("contacts", "calls"): [("contact_to_call", "HUBSPOT_DEFINED", 193, None)],
    ("calls", "contacts"): [("call_to_contact", "HUBSPOT_DEFINED", 194, None)],
    # Companies: a contact's and a deal's primary company is associated
    # twice, as the unlabelled type and as the "Primary" one (v3: the
    # primary's name is contact_to_company, the unlabelled one's
    # contact_to_company_unlabeled, as recorded); HubSpot's typeIds.
    ("contacts", "companies"): [("contact_to_company", "HUBSPOT_DEFINED", 1, "Primary"),
                                ("contact_to_company_unlabeled", "HUBSPOT_DEFINED", 279, None)],
    ("companies", "contacts"): [("company_to_contact", "HUBSPOT_DEFINED", 2, "Primary"),
                                ("company_to_contact_unlabeled", "HUBSPOT_DEFINED", 280, None)],
    ("deals", "companies"): [("deal_to_company", "HUBSPOT_DEFINED", 5, "Primary"),
                             ("deal_to_company_unlabeled", "HUBSPOT_DEFINED", 341, None)],
    ("companies", "deals"): [("company_to_deal", "HUBSPOT_DEFINED", 6, "Primary"),
                             ("company_to_deal_unlabeled", "HUBSPOT_DEFINED", 342, None)],
    ("tickets", "contacts"): [("ticket_to_contact", "HUBSPOT_DEFINED", 16, None)],
    ("contacts", "tickets"): [("contact_to_ticket", "HUBSPOT_DEFINED", 15, None)],
    ("tickets", "deals"): [("ticket_to_deal", "HUBSPOT_DEFINED", 28, None)],
    ("deals", "tickets"): [("deal_to_ticket", "HUBSPOT_DEFINED", 27, None)],
    ("meetings", "contacts"): [("meeting_event_to_contact", "HUBSPOT_DEFINED", 200, None)],
    ("contacts", "meetings"): [("contact_to_meeting_event", "HUBSPOT_DEFINED", 199, None)],
    ("meetings", "deals"): [("meeting_event_to_deal", "HUBSPOT_DEFINED", 212, None)],
    ("deals", "meetings"): [("deal_to_meeting_event", "HUBSPOT_DEFINED", 211, None)],
    # A custom object's associations are the portal's own: typeIds of its
    # own numbering, named after the object's name (as recorded:
    # contact_to_credentialing_2_0), defined with the schema.
    ("cars", "contacts"): [("cars_to_contact", "USER_DEFINED", 1051, None)],
    ("contacts", "cars"): [("contact_to_cars", "USER_DEFINED", 1052, None)],
    ("cars", "deals"): [("cars_to_deal", "USER_DEFINED", 1053, None)],
    ("deals", "cars"): [("deal_to_cars", "USER_DEFINED", 1054, None)],
}
# Records' pages in HubSpot's app, as the "url" of every record says.
OBJECT_TYPE_IDS = {"contacts": "0-1", "deals": "0-3", "calls": "0-48", "companies": "0-2",
                   "tickets": "0-5", "meetings": "0-47", "cars": CARS_TYPE_ID}
OAUTH_SCOPES = {"contacts": "crm.objects.contacts.read", "deals": "crm.objects.deals.read",
                "calls": "crm.objects.contacts.read", "companies": "crm.objects.companies.read",
                "tickets": "tickets", "meetings": "crm.objects.contacts.read",
                "cars": "crm.objects.custom.read"}
SCHEMAS_SCOPE = "crm.schemas.custom.read"


def assoc_defs(ot, kind, rec, other_id):
    """The association types between two records, in ASSOC_DEFS order: the
    unlabelled one always; for about 2 pairs in 7 of contacts and deals one
    or two labels too (the same for both directions, from the pair's ids);
    with a company, the "Primary" one first where it is the primary
    company (rec["primary"] names the pairs that are)."""
    defs = ASSOC_DEFS[(ot, kind)]
    if len(defs) == 1:
        return defs
    if defs[0][3] == "Primary":
        return defs if other_id in rec.get("primary", {}).get(kind, ()) else defs[1:]
    rec_id = rec["id"]
    contact, deal = (rec_id, other_id) if ot == "contacts" else (other_id, rec_id)
    h = (int(contact) * 31 + int(deal)) % 7
    return defs[:1] + (defs[1:2] if h == 0 else defs[1:3] if h == 1 else [])

LIFECYCLE = ["lead", "marketingqualifiedlead", "opportunity", "customer"]
LEAD_STATUS = ["NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED",
               "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"]
STAGES = ["appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
          "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"]
STAGE_WEIGHTS = [8, 8, 7, 6, 6, 45, 20]
PAYMENT_STATUS = ["paid", "paying", "late", "cancelled"]
PAYMENT_METHOD = ["card", "sepa_debit", "bank_transfer", "paypal"]
DISPOSITIONS = {"connected": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
                "no_answer": "73a0d17f-1163-4015-bdd5-ec830791da20",
                "busy": "9d9162e7-6cf3-4944-bf63-4dff82258764",
                "voicemail": "b2cf5968-551e-4856-9783-52b3da59a7d0",
                "wrong_number": "17b47fee-58de-441e-a44c-c6300d46f273"}

def record_props(group, created, owner_label):
    """The later types' record properties every one of them has: creation
    and modification times, id and owner."""
    return [(created, "Create date", "datetime", "date", group, None),
            ("hs_lastmodifieddate", "Last modified date", "datetime", "date", group, None),
            ("hs_object_id", "Record ID", "number", "number", group, None),
            ("hubspot_owner_id", owner_label, "enumeration", "select", group, None)]


INDUSTRIES = ["COMPUTER_SOFTWARE", "RETAIL", "FINANCIAL_SERVICES", "HOSPITAL_HEALTH_CARE",
              "EDUCATION_MANAGEMENT", "AUTOMOTIVE"]
MEETING_OUTCOMES = ["SCHEDULED", "COMPLETED", "NO_SHOW", "CANCELED", "RESCHEDULED"]

# name, label, type, fieldType, groupName, options
PROPS = {
    "contacts": [
        ("email", "Email", "string", "text", "contactinformation", None),
        ("phone", "Phone Number", "string", "phonenumber", "contactinformation", None),
        ("mobilephone", "Mobile Phone Number", "string", "phonenumber", "contactinformation", None),
        ("firstname", "First Name", "string", "text", "contactinformation", None),
        ("lastname", "Last Name", "string", "text", "contactinformation", None),
        ("createdate", "Create Date", "datetime", "date", "contactinformation", None),
        ("lastmodifieddate", "Last Modified Date", "datetime", "date", "contactinformation", None),
        ("hs_object_id", "Record ID", "number", "number", "contactinformation", None),
        ("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", "contactinformation", LIFECYCLE),
        ("vsl_watched", "VSL watched", "bool", "booleancheckbox", "contactinformation", ["true", "false"]),
        ("sales_script_version", "Sales script version", "enumeration", "select",
         "contactinformation", ["A", "B", "C"]),
        ("hs_lead_status", "Lead Status", "enumeration", "radio", "sales_properties", LEAD_STATUS),
        ("hs_merged_object_ids", "Merged Contact IDs", "enumeration", "checkbox",
         "contactinformation", None),
        ("hubspot_owner_id", "Contact owner", "enumeration", "select", "sales_properties", None),
    ],
    "deals": [
        ("dealname", "Deal Name", "string", "text", "dealinformation", None),
        ("amount", "Amount", "number", "number", "dealinformation", None),
        ("dealstage", "Deal Stage", "enumeration", "radio", "dealinformation", STAGES),
        ("pipeline", "Pipeline", "enumeration", "select", "dealinformation", ["default"]),
        ("createdate", "Create Date", "datetime", "date", "dealinformation", None),
        ("closedate", "Close Date", "datetime", "date", "dealinformation", None),
        ("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", "dealinformation", None),
        ("hs_object_id", "Record ID", "number", "number", "dealinformation", None),
        ("qualified_status", "Qualified status", "enumeration", "select", "dealinformation",
         ["qualified", "not_qualified"]),
        ("trial_status", "Trial status", "enumeration", "select", "dealinformation", ["started", "none"]),
        ("payment_status", "Payment status", "enumeration", "select", "dealinformation", PAYMENT_STATUS),
        ("number_of_installments__months", "Number of installments (months)", "number", "number",
         "dealinformation", None),
        ("payment_method", "Payment method", "enumeration", "select", "dealinformation", PAYMENT_METHOD),
        ("hs_merged_object_ids", "Merged Deal IDs", "enumeration", "checkbox", "dealinformation", None),
        ("hubspot_owner_id", "Deal owner", "enumeration", "select", "dealinformation", None),
        ("contract_start_date", "Contract start date", "date", "date", "dealinformation", None),
    ],
    "calls": [
        ("hs_call_direction", "Call direction", "enumeration", "select", "engagement",
         ["INBOUND", "OUTBOUND"]),
        ("hs_call_to_number", "To number", "string", "text", "engagement", None),
        ("hs_call_from_number", "From number", "string", "text", "engagement", None),
        ("hs_call_duration", "Call duration", "number", "number", "engagement", None),
        ("hs_timestamp", "Activity date", "datetime", "date", "engagement", None),
        ("hs_call_status", "Call status", "enumeration", "select", "engagement",
         ["COMPLETED", "NO_ANSWER", "BUSY"]),
        ("hs_call_disposition", "Call outcome", "string", "text", "engagement", None),
        ("hs_call_title", "Call title", "string", "text", "engagement", None),
        ("hs_call_body", "Call notes", "string", "html", "engagement", None),
        ("hs_createdate", "Create date", "datetime", "date", "engagement", None),
        ("hs_lastmodifieddate", "Last modified date", "datetime", "date", "engagement", None),
        ("hs_object_id", "Record ID", "number", "number", "engagement", None),
        ("hubspot_owner_id", "Activity assigned to", "enumeration", "select", "engagement", None),
    ],
    "companies": [
        ("name", "Company name", "string", "text", "companyinformation", None),
        ("domain", "Company Domain Name", "string", "text", "companyinformation", None),
        ("industry", "Industry", "enumeration", "select", "companyinformation", INDUSTRIES),
        ("city", "City", "string", "text", "companyinformation", None),
        ("country", "Country/Region", "string", "text", "companyinformation", None),
        ("numberofemployees", "Number of Employees", "number", "number", "companyinformation", None),
        ("annualrevenue", "Annual Revenue", "number", "number", "companyinformation", None),
        ("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", "companyinformation", LIFECYCLE),
    ] + record_props("companyinformation", "createdate", "Company owner"),
    "tickets": [
        ("subject", "Ticket name", "string", "text", "ticketinformation", None),
        ("content", "Ticket description", "string", "textarea", "ticketinformation", None),
        ("hs_pipeline", "Pipeline", "enumeration", "select", "ticketinformation", ["0"]),
        ("hs_pipeline_stage", "Ticket status", "enumeration", "select", "ticketinformation",
         ["1", "2", "3", "4"]),
        ("hs_ticket_priority", "Priority", "enumeration", "select", "ticketinformation",
         ["LOW", "MEDIUM", "HIGH"]),
        ("closed_date", "Close date", "datetime", "date", "ticketinformation", None),
    ] + record_props("ticketinformation", "createdate", "Ticket owner"),
    "meetings": [
        ("hs_meeting_title", "Meeting name", "string", "text", "engagement", None),
        ("hs_meeting_body", "Meeting description", "string", "html", "engagement", None),
        ("hs_meeting_start_time", "Start time", "datetime", "date", "engagement", None),
        ("hs_meeting_end_time", "End time", "datetime", "date", "engagement", None),
        ("hs_meeting_outcome", "Meeting outcome", "enumeration", "select", "engagement", MEETING_OUTCOMES),
        ("hs_timestamp", "Activity date", "datetime", "date", "engagement", None),
    ] + record_props("engagement", "hs_createdate", "Activity assigned to"),
    "cars": [
        ("model", "Model", "string", "text", "car_information", None),
        ("make", "Make", "string", "text", "car_information", None),
        ("year", "Year", "number", "number", "car_information", None),
        ("price", "Price", "number", "number", "car_information", None),
        ("vin", "VIN", "string", "text", "car_information", None),
        ("first_registered", "First registered", "date", "date", "car_information", None),
    ] + record_props("car_information", "hs_createdate", "Owner"),
}

# Owners: the first OWNERS_ASSIGNED are the ones records are assigned to
# (one of them deactivated, so in the archived list); --owners adds more.
OWNERS_ASSIGNED = 6


def owner_id(k):
    return str(51234567 + k * 7919)


def gen_owner(k):
    archived = k % 5 == 4
    created = T_START - (k + 30) * DAY_MS + k * 1234
    owner = {"id": owner_id(k), "email": f"rep{k}@sales.example.com",
             "type": "PERSON", "firstName": FIRST[(k * 5) % len(FIRST)],
             "lastName": LAST[(k * 3) % len(LAST)], "userId": 9100000 + k,
             "userIdIncludingInactive": 9100000 + k,
             "createdAt": iso(created), "updatedAt": iso(created + DAY_MS * (k % 9) + 17),
             "archived": archived}
    if not archived:
        owner["teams"] = ([{"id": "4711", "name": "Inside Sales", "primary": True}] if k % 2 == 0
                          else [{"id": "4712", "name": "Field Sales", "primary": True},
                                {"id": "4711", "name": "Inside Sales", "primary": False}])
    return owner


def owner_for(ot, i):
    """A record's owner: most have one of the assigned owners, some none."""
    rng = random.Random(f"owner/{ot}/{i}")
    return None if rng.random() < 0.1 else owner_id(rng.randrange(OWNERS_ASSIGNED))


# Deal pipelines: HubSpot's default one, and a custom one whose ids are
# numbers, as on real portals.  metadata values are strings.
def stage(sid, label, order, closed, probability, archived=False):
    return {"id": sid, "label": label, "displayOrder": order,
            "metadata": {"isClosed": "true" if closed else "false", "probability": probability},
            "createdAt": "2024-02-12T09:30:00Z" if sid.isdigit() else "1970-01-01T00:00:00Z",
            "updatedAt": "2024-03-05T16:41:27.361Z" if sid.isdigit() else "1970-01-01T00:00:00Z",
            "archived": archived, "writePermissions": "CRUD_ALL"}


PIPELINES = [
    {"id": "default", "label": "Sales Pipeline", "displayOrder": 0,
     "createdAt": "1970-01-01T00:00:00Z", "updatedAt": "1970-01-01T00:00:00Z", "archived": False,
     "stages": [stage("appointmentscheduled", "Appointment Scheduled", 0, False, "0.2"),
                stage("qualifiedtobuy", "Qualified To Buy", 1, False, "0.4"),
                stage("presentationscheduled", "Presentation Scheduled", 2, False, "0.6"),
                stage("decisionmakerboughtin", "Decision Maker Bought-In", 3, False, "0.8"),
                stage("contractsent", "Contract Sent", 4, False, "0.9"),
                stage("closedwon", "Closed Won", 5, True, "1.0"),
                stage("closedlost", "Closed Lost", 6, True, "0.0")]},
    {"id": "2781204", "label": "Renewals", "displayOrder": 1,
     "createdAt": "2024-02-12T09:30:00Z", "updatedAt": "2024-03-05T16:41:27.361Z", "archived": False,
     "stages": [stage("1003461", "Renewal due", 0, False, "0.3"),
                stage("1003462", "Negotiation", 1, False, "0.7"),
                stage("1003463", "Renewed", 2, True, "1.0"),
                stage("1003464", "Churned", 3, True, "0.0"),
                stage("1003465", "On hold (old)", 4, False, "0.1", archived=True)]},
]
# The ticket pipeline: HubSpot's default support pipeline ("0", stages
# "1" to "4"); a ticket stage's metadata says its ticketState only (HubSpot's
# examples have no isClosed and no probability).
def ticket_stage(sid, label, order, closed):
    return {"id": sid, "label": label, "displayOrder": order,
            "metadata": {"ticketState": "CLOSED" if closed else "OPEN"},
            "createdAt": "1970-01-01T00:00:00Z", "updatedAt": "1970-01-01T00:00:00Z",
            "archived": False, "writePermissions": "CRUD_ALL"}


TICKET_PIPELINES = [
    {"id": "0", "label": "Support Pipeline", "displayOrder": 0,
     "createdAt": "1970-01-01T00:00:00Z", "updatedAt": "1970-01-01T00:00:00Z", "archived": False,
     "stages": [ticket_stage("1", "New", 0, False), ticket_stage("2", "Waiting on contact", 1, False),
                ticket_stage("3", "Waiting on us", 2, False), ticket_stage("4", "Closed", 3, True)]},
]
# With 2 pipelines, every fourth deal is in the custom one, its stage mapped.
RENEWAL_STAGE = {"appointmentscheduled": "1003461", "qualifiedtobuy": "1003461",
                 "presentationscheduled": "1003462", "decisionmakerboughtin": "1003462",
                 "contractsent": "1003462", "closedwon": "1003463", "closedlost": "1003464"}


FIRST = ["Alice", "Bruno", "Camille", "Éloïse", "François", "Hélène", "Jean-Luc", "Léa",
         "Zoë", "Mathis", "Chloé", "Noah", "Olivia", "Liam", "Sofia", "Lukas", "Mia", "Ahmed",
         "Yasmine", "Giulia", "Björn", "Ana", "João", "Siobhán", "Wei", "Priya", "Tomás", "Emma"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy",
        "Moreau", "Müller", "O'Brien", "García", "Núñez", "Smith", "Johnson", "Kowalski",
        "Ødegaard", "Nguyen", "Rossi", "Silva", "Schmidt", "Lefèvre", "Da Costa", "Van der Berg"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Müller GmbH",
             "Société Démo", "Stark Industries", "Wayne Enterprises"]
PRODUCTS = ["Coaching 3 mois", "Formation Pro", "Abonnement annuel", "Starter pack",
            "Premium", "Mentorat"]

T_START = 1704067200000        # 2024-01-01T00:00:00.000Z
T_END = 1751327999999          # 2025-06-30T23:59:59.999Z
DAY_MS = 86400000
V2_TIME = T_END + 1            # 2025-07-01T00:00:00.000Z: version-2 changes happen after it
MOVED_TIME = V2_TIME + DAY_MS // 2  # 2025-07-01T12:00:00.000Z: the movemidread fault's change
COMPANY_LINE = "+33 1 23 45 67 89"


def iso(ms):
    """HubSpot's datetimes, as Java's Instant prints them: milliseconds
    only when not zero ("2026-12-31T00:00:00Z", "2024-03-01T12:34:56.789Z")."""
    dt = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (".%03dZ" % (ms % 1000) if ms % 1000 else "Z")


def parse_ms(value):
    """ISO datetime, date-only or epoch-ms (string or number) -> epoch ms, else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    s = str(value).strip()
    if not s:
        return None
    if re.fullmatch(r"-?\d+(\.\d+)?", s):
        return int(float(s))
    try:
        if len(s) == 10:
            s += "T00:00:00Z"
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return int(dt.timestamp() * 1000)
    except ValueError:
        return None


def parse_num(value):
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    s = str(value).strip()
    try:
        return int(s)
    except ValueError:
        try:
            f = float(s)
            return None if math.isnan(f) or math.isinf(f) else f
        except ValueError:
            return None


# ----------------------------------------------------------------------------
# Phones: one national number per contact, rendered in several real-world ways
# ----------------------------------------------------------------------------

def phone_renderings(country, nat):
    if country == "FR":       # nat: 9 digits, e.g. 612345678
        a, p = nat[0], [nat[1:3], nat[3:5], nat[5:7], nat[7:9]]
        return [f"+33 {a} {' '.join(p)}", f"0033{nat}", f"+33{nat}", f"0{a}.{'.'.join(p)}",
                f"0{a} {' '.join(p)}", f"+33 (0){a} {' '.join(p)}"]
    if country == "US":       # nat: 10 digits, e.g. 5551234567
        ar, ex, ln = nat[:3], nat[3:6], nat[6:]
        return [f"({ar}) {ex}-{ln}", f"+1 {ar}-{ex}-{ln}", f"+1{nat}", f"{ar}.{ex}.{ln}",
                f"001 {ar} {ex} {ln}"]
    a, b = nat[2:6], nat[6:]  # UK: nat 10 digits, 20XXXXXXXX
    return [f"+44 (0)20 {a} {b}", f"+44 20 {a} {b}", f"+44{nat}", f"0044 20 {a} {b}"]


def contact_phone_number(i, rng):
    r = rng.random()
    if r < 0.55:
        return "FR", "6%08d" % ((i * 7919 + 12345678) % 10 ** 8)
    if r < 0.85:
        return "US", "555%07d" % ((i * 7919 + 1234567) % 10 ** 7)
    return "UK", "20%08d" % ((i * 7919 + 79460958) % 10 ** 8)


# ----------------------------------------------------------------------------
# Data generation
# ----------------------------------------------------------------------------

ID_BANDS = {"contacts": (900, 2147483700, 150479232000),
            "deals": (901, 3000000000, 98765432000),
            "calls": (902, 4100000000, 59205660000),
            # The later types: each its own band, clear of the others'.
            "companies": (20000, 5200000000, 31415920000),
            "tickets": (30000, 6300000000, 271828180000),
            "meetings": (40000, 7400000000, 66260700000),
            "cars": (50000, 8500000000, 16021760000)}


def make_id(ot, i, n):
    """Ascending ids: ~10% short (3-4 digits), ~10% just above 2^31, rest 11-12 digits."""
    short_base, mid_base, long_base = ID_BANDS[ot]
    n_short = max(1, min(3000, n // 10))
    if i < n_short:
        return short_base + i * 3 * max(1, min(12, 3000 // n_short))
    k = i - n_short
    jitter = (i * 7 + 3) % 10
    if k < n_short:
        return mid_base + k * 10 + jitter
    return long_base + (k - n_short) * 10 + jitter


def is_archived(i):
    return i % 40 == 9


def new_record(ot, i, n, created, modified, props, archived=None):
    nid = make_id(ot, i, n)
    props["hs_object_id"] = str(nid)
    rec = {"i": i, "id": str(nid), "nid": nid, "p": props, "createdAt": iso(created),
           "updatedAt": iso(modified), "archived": is_archived(i) if archived is None else archived,
           "a": {}}
    if rec["archived"]:
        rec["archivedAt"] = iso(min(T_END, modified + DAY_MS * (1 + i % 20)))
    return rec


def ascii_slug(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", s.lower())


def gen_contact(i, n):
    rng = random.Random(f"contacts/{i}")
    created = rng.randrange(T_START, T_END - 30 * DAY_MS)
    modified = created + rng.randrange(0, T_END - created)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if i == 2:
        last = 'Smith "Jr." \\ Test'
    country, nat = contact_phone_number(i, rng)
    fmt_index = rng.randrange(len(phone_renderings(country, nat)))
    r = rng.random()
    phone = (None if r < 0.07 else "" if r < 0.11 else phone_renderings(country, nat)[fmt_index])
    if i == 7:
        phone = "n/a"
    mobile = None
    if rng.random() < 0.25:
        mobile = phone_renderings("FR", "7%08d" % ((i * 6007 + 2345678) % 10 ** 8))[rng.randrange(6)]
    r = rng.random()
    vsl = "true" if r < 0.45 else "false" if r < 0.8 else None if r < 0.92 else ""
    props = {
        "email": f"{ascii_slug(first)}.{ascii_slug(last)}.{i}@example.com",
        "phone": phone, "mobilephone": mobile, "firstname": first, "lastname": last,
        "createdate": str(created) if i % 10 == 5 else iso(created),
        "lastmodifieddate": iso(modified),
        "lifecyclestage": rng.choice(LIFECYCLE), "vsl_watched": vsl,
        "sales_script_version": rng.choice(["A", "B", "C", None]),
        "hs_lead_status": rng.choice(LEAD_STATUS + [None, None]),
    }
    rec = new_record("contacts", i, n, created, modified, props)
    rec["phone_info"] = (country, nat, fmt_index) if phone and phone != "n/a" else None
    return rec


def gen_deal(i, n, live):
    rng = random.Random(f"deals/{i}")
    created = rng.randrange(T_START, T_END - 30 * DAY_MS)
    modified = created + rng.randrange(0, T_END - created)
    stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
    base = rng.randrange(5, 500) * 10
    amount = rng.choice([str(base), f"{base}.5", f"{base - 1}.99", str(base * 10)])
    if rng.random() < 0.1:
        amount = None
    closed = stage in ("closedwon", "closedlost")
    close_ms = created + rng.randrange(0, min(90 * DAY_MS, T_END - created))
    if closed:
        modified = max(modified, min(T_END, close_ms + rng.randrange(0, DAY_MS)))
    if closed or rng.random() < 0.5:
        closedate = iso(close_ms) if rng.random() < 0.7 else iso(close_ms)[:10]
    else:
        closedate = None
    props = {
        "dealname": f"{rng.choice(COMPANIES)} - {rng.choice(PRODUCTS)} #{i}",
        "amount": amount, "dealstage": stage, "pipeline": "default",
        "createdate": iso(created), "closedate": closedate, "hs_lastmodifieddate": iso(modified),
        "qualified_status": rng.choice(["qualified", "not_qualified", None]),
        "trial_status": rng.choice(["started", "none", None]),
        "payment_status": rng.choice(PAYMENT_STATUS + [None]) if stage == "closedwon" else None,
        "number_of_installments__months": rng.choice(["1", "3", "6", "12"]),
        "payment_method": rng.choice(PAYMENT_METHOD + [None]),
        # A date property (type "date"): a day alone, as HubSpot gives them.
        "contract_start_date": iso(close_ms)[:10] if stage == "closedwon" else None,
    }
    fixed = {3: ("number_of_installments__months", "abc"), 4: ("closedate", ""),
             5: ("number_of_installments__months", "3.0"), 6: ("amount", "not-a-number")}
    if i in fixed:
        props[fixed[i][0]] = fixed[i][1]
    rec = new_record("deals", i, n, created, modified, props)
    if live:
        picks = {rng.randrange(len(live))}
        if rng.random() < 0.15 and len(live) > 1:
            picks.add(rng.randrange(len(live)))
        for k in sorted(picks):
            rec["a"].setdefault("contacts", []).append(live[k]["id"])
            live[k]["a"].setdefault("deals", []).append(rec["id"])
    return rec


def gen_call(i, n, contacts):
    rng = random.Random(f"calls/{i}")
    created = rng.randrange(T_START, T_END - 30 * DAY_MS)
    modified = created + rng.randrange(0, T_END - created)
    direction = "OUTBOUND" if rng.random() < 0.65 else "INBOUND"
    contact = None
    if contacts and rng.random() < 0.8:
        start = rng.randrange(len(contacts))
        for k in range(len(contacts)):
            c = contacts[(start + k) % len(contacts)]
            if c["phone_info"] and not c["archived"]:
                contact = c
                break
    if contact:
        country, nat, used = contact["phone_info"]
        forms = phone_renderings(country, nat)
        other = rng.choice([k for k in range(len(forms)) if k != used])
        number = forms[other]
        title = f"Call with {contact['p']['firstname']} {contact['p']['lastname']}"
    else:
        number = phone_renderings("FR", "9%08d" % ((i * 7919 + 555) % 10 ** 8))[rng.randrange(6)]
        title = f"Call {'to' if direction == 'OUTBOUND' else 'from'} {number}"
    status = rng.choices(["COMPLETED", "NO_ANSWER", "BUSY"], [70, 20, 10])[0]
    if status == "COMPLETED":
        duration = rng.randrange(300000, 1800001) if rng.random() < 0.35 else rng.randrange(15000, 300000)
        disposition = DISPOSITIONS["connected"] if rng.random() < 0.9 else DISPOSITIONS["voicemail"]
    else:
        duration = rng.choice([0, 0, rng.randrange(1000, 30000)])
        disposition = DISPOSITIONS["no_answer" if status == "NO_ANSWER" else "busy"]
    ts = created - duration - rng.randrange(0, 60000)
    props = {
        "hs_call_direction": direction,
        "hs_call_to_number": number if direction == "OUTBOUND" else COMPANY_LINE,
        "hs_call_from_number": COMPANY_LINE if direction == "OUTBOUND" else number,
        "hs_call_duration": str(duration), "hs_timestamp": iso(ts), "hs_call_status": status,
        "hs_call_disposition": disposition, "hs_call_title": title,
        "hs_call_body": rng.choice(["<p>Discussed pricing and next steps.</p>",
                                    "<p>Left a voicemail.</p>", "<p>Follow-up: send the contract.</p>",
                                    "", None]),
        "hs_createdate": iso(created), "hs_lastmodifieddate": iso(modified),
    }
    if i == 2:
        props["hs_call_duration"] = ""
    if i == 3:
        props["hs_timestamp"] = ""
    rec = new_record("calls", i, n, created, modified, props)
    if contact:
        rec["a"]["contacts"] = [contact["id"]]
        contact["a"].setdefault("calls", []).append(rec["id"])
    return rec


# ----------------------------------------------------------------------------
# The later types: companies, tickets, meetings and the custom object "cars",
# generated after the first three with RNGs of their own, so that contacts,
# deals and calls come out as they always have.
# ----------------------------------------------------------------------------

def later_sizes(n_contacts, n_deals, n_calls):
    """How many of each later type a data set holds, from its first three."""
    return {"companies": max(12, n_contacts // 20), "tickets": max(12, n_deals // 10),
            "meetings": max(12, n_calls // 2), "cars": max(12, n_contacts // 100)}


def later_archived(i):
    """One record in ten of the later types is archived (some even in the
    smallest data set)."""
    return i % 10 == 3


CREATED_PROP = {"companies": "createdate", "tickets": "createdate",
                "meetings": "hs_createdate", "cars": "hs_createdate"}
CITIES = [("Paris", "France"), ("Lyon", "France"), ("Boston", "United States"),
          ("Austin", "United States"), ("London", "United Kingdom"), ("München", "Germany"),
          ("São Paulo", "Brazil"), ("Kraków", "Poland")]
COMPANY_WORDS = ["Nordlicht", "Bâtiments", "Quill", "Brightwater", "Lumen", "Carrefour des Arts",
                 "Okapi", "Tessera", "Vireo", "Ferrand & Fils", "Halcyon", "Marigold"]
COMPANY_SUFFIX = ["SAS", "Ltd", "Inc.", "GmbH", "SARL", "Labs", "Group"]
TICKET_SUBJECTS = ["Cannot log in", "Invoice missing", "Refund request", "Access to the course",
                   "Change of payment method", "Bug in the mobile app", "Cancel my subscription"]
MEETING_TITLES = ["Discovery call", "Onboarding session", "Demo", "Quarterly review",
                  "Contract negotiation", "Coaching session"]
CAR_MODELS = [("Renault", "Clio"), ("Peugeot", "208"), ("Tesla", "Model 3"), ("Volkswagen", "Golf"),
              ("Toyota", "Yaris"), ("Škoda", "Octavia"), ("Citroën", "C3"), ("Fiat", "500")]
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def later_times(rng):
    """A record's creation and last modification, both in version 1's span."""
    created = rng.randrange(T_START, T_END - 30 * DAY_MS)
    return created, created + rng.randrange(0, T_END - created)


def link(rec, kind, other, other_kind, primary=False):
    """Associate two records both ways (once); primary: the pair is also
    associated by the "Primary" type, in both directions."""
    if other["id"] not in rec["a"].setdefault(kind, []):
        rec["a"][kind].append(other["id"])
        other["a"].setdefault(other_kind, []).append(rec["id"])
    if primary:
        rec.setdefault("primary", {}).setdefault(kind, set()).add(other["id"])
        other.setdefault("primary", {}).setdefault(other_kind, set()).add(rec["id"])


def pick(rng, recs, most, chance):
    """Up to `most` records of recs, each with the given chance."""
    return [recs[rng.randrange(len(recs))] for _ in range(most) if recs and rng.random() < chance]


def later_record(ot, i, n, created, modified, props):
    """A later type's record: props with its times, id and owner added."""
    props.update({CREATED_PROP[ot]: iso(created), "hs_lastmodifieddate": iso(modified),
                  "hubspot_owner_id": owner_for(ot, i)})
    return new_record(ot, i, n, created, modified, props, later_archived(i))


def link_some(rng, rec, ot, contacts, most, contact_chance, deals, deal_chance):
    """Associate rec with up to `most` of the contacts and one of the deals."""
    for c in pick(rng, contacts, most, contact_chance):
        link(rec, "contacts", c, ot)
    for d in pick(rng, deals, 1, deal_chance):
        link(rec, "deals", d, ot)


def gen_company(i, n, contacts, deals):
    rng = random.Random(f"companies/{i}")
    created, modified = later_times(rng)
    name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_SUFFIX)}"
    city, country = rng.choice(CITIES)
    r = rng.random()
    revenue = (f"{rng.randrange(1, 900) * 10000}.5" if r < 0.3 else str(rng.randrange(1, 900) * 10000)
               if r < 0.7 else "" if r < 0.85 else None)
    rec = later_record("companies", i, n, created, modified, {
        "name": name, "domain": f"{ascii_slug(name)}{i}.example.com",
        "industry": rng.choice(INDUSTRIES + [None]), "city": city, "country": country,
        "numberofemployees": str(rng.choice([3, 12, 45, 250, 1200, 8000])),
        "annualrevenue": revenue, "lifecyclestage": rng.choice(LIFECYCLE)})
    # A contact's (and a deal's) first company is its primary one.
    per_contact = max(1, len(contacts) // max(1, n))
    for c in pick(rng, contacts, min(40, 2 * per_contact), 0.5):
        link(rec, "contacts", c, "companies", primary="companies" not in c["a"])
    for d in pick(rng, deals, min(20, max(1, 2 * len(deals) // max(1, n))), 0.5):
        link(rec, "deals", d, "companies", primary="companies" not in d["a"])
    return rec


def gen_ticket(i, n, contacts, deals):
    rng = random.Random(f"tickets/{i}")
    created, modified = later_times(rng)
    stage = rng.choices(["1", "2", "3", "4"], [30, 15, 15, 40])[0]
    closed = None
    if stage == "4":
        closed_ms = created + rng.randrange(DAY_MS // 24, min(30 * DAY_MS, T_END - created))
        modified = max(modified, closed_ms)
        closed = iso(closed_ms)
    rec = later_record("tickets", i, n, created, modified, {
        "subject": f"{rng.choice(TICKET_SUBJECTS)} #{i}",
        "content": rng.choice(["The customer cannot reach the member area since Monday.",
                               "Asked by phone; see the call notes.", "", None]),
        "hs_pipeline": "0", "hs_pipeline_stage": stage,
        "hs_ticket_priority": rng.choice(["LOW", "MEDIUM", "HIGH", None]), "closed_date": closed})
    link_some(rng, rec, "tickets", contacts, 1, 0.8, deals, 0.5)
    return rec


def gen_meeting(i, n, contacts, deals):
    rng = random.Random(f"meetings/{i}")
    created, modified = later_times(rng)
    start = created + rng.randrange(0, 14) * DAY_MS + rng.randrange(8, 18) * 3600000
    end = start + rng.choice([15, 30, 45, 60, 90]) * 60000
    rec = later_record("meetings", i, n, created, modified, {
        "hs_meeting_title": rng.choice(MEETING_TITLES),
        "hs_meeting_body": rng.choice(["<p>Agenda: goals, pricing, next steps.</p>",
                                       "<p>Bring the signed contract.</p>", "", None]),
        "hs_meeting_start_time": iso(start), "hs_meeting_end_time": iso(end),
        "hs_meeting_outcome": rng.choice(MEETING_OUTCOMES) if start < T_END else "SCHEDULED",
        "hs_timestamp": iso(start)})
    link_some(rng, rec, "meetings", contacts, 2, 0.7, deals, 0.4)
    return rec


def gen_car(i, n, contacts, deals):
    rng = random.Random(f"cars/{i}")
    created, modified = later_times(rng)
    make, model = rng.choice(CAR_MODELS)
    year = rng.randrange(2012, 2026)
    base = rng.randrange(40, 600) * 100
    registered = datetime(year, rng.randrange(1, 13), 1, tzinfo=timezone.utc)
    rec = later_record("cars", i, n, created, modified, {
        "model": model, "make": make, "year": str(year),
        "price": rng.choice([str(base), f"{base}.5", "", None]),
        "vin": "".join(rng.choice(VIN_CHARS) for _ in range(17)),
        "first_registered": registered.strftime("%Y-%m-%d") if rng.random() < 0.85 else None})
    link_some(rng, rec, "cars", contacts, 1, 0.85, deals, 0.3)
    return rec


LATER_GEN = {"companies": gen_company, "tickets": gen_ticket, "meetings": gen_meeting,
             "cars": gen_car}
# Version 2 changes one property of record #1 of each later type.
LATER_CHANGE = {"companies": {"numberofemployees": "260"}, "tickets": {"hs_ticket_priority": "HIGH"},
                "meetings": {"hs_meeting_outcome": "COMPLETED"}, "cars": {"price": "17990"}}


def generate_later(sizes, contacts, deals):
    """The later types' records, associated with live contacts and deals."""
    live_c = [c for c in contacts if not c["archived"]]
    live_d = [d for d in deals if not d["archived"]]
    return {ot: [LATER_GEN[ot](i, sizes[ot], live_c, live_d) for i in range(sizes[ot])]
            for ot in LATER_GEN}


def evolve_later(later, version, contacts, deals):
    """The later types under versions 2 and 3: record #1 changed and one
    new record (version 2), record #0 archived (version 3); on 2025-07-01,
    each type in its own hour from 17:00 (companies) to 20:40 (cars), after
    version 1's times and the first three types' changes."""
    live_c = [c for c in contacts if not c["archived"]]
    live_d = [d for d in deals if not d["archived"]]
    for k, (ot, recs) in enumerate(later.items()):
        prop, at = MODIFIED_PROP[ot], V2_TIME + (17 + k) * 3600000
        n = len(recs)
        recs[1] = bump(recs[1], prop, LATER_CHANGE[ot], at)
        added_ms = at + 20 * 60000
        extra = LATER_GEN[ot](n, n, live_c, live_d)
        extra = bump(dict(extra, archived=False), prop, {CREATED_PROP[ot]: iso(added_ms)}, added_ms)
        extra.pop("archivedAt", None)
        extra["createdAt"] = extra["updatedAt"]
        recs.append(extra)
        if version == 3:
            gone = bump(recs[0], prop, {}, at + 40 * 60000)
            gone["archived"] = True
            gone["archivedAt"] = gone["updatedAt"]
            recs[0] = gone


class TypeData:
    def __init__(self, records):
        self.records = records
        self.live = [r for r in records if not r["archived"]]
        self.live_nids = [r["nid"] for r in self.live]
        self.arch = [r for r in records if r["archived"]]
        self.arch_nids = [r["nid"] for r in self.arch]
        self.by_id = {r["id"]: r for r in records}


def bump(rec, prop, changes, ms):
    """A modified copy of a record: new property values and a later modification time."""
    new = dict(rec)
    new["p"] = dict(rec["p"], **changes)
    new["p"][prop] = iso(ms)
    new["updatedAt"] = iso(ms)
    return new


def merge_into(recs, keep, gone, ot, prop, others, ms):
    """HubSpot's merge: recs[gone] is listed nowhere any more; recs[keep] names
    it in hs_merged_object_ids, is modified, and takes over its associations
    (which changes no other record's modification time)."""
    merged = recs[gone]
    survivor = bump(recs[keep], prop, {"hs_merged_object_ids": merged["id"]}, ms)
    survivor["a"] = {k: survivor["a"].get(k, []) + [i for i in merged["a"].get(k, [])
                                                    if i not in survivor["a"].get(k, [])]
                     for k in set(survivor["a"]) | set(merged["a"])}
    for rec in others:
        linked = rec["a"].get(ot)
        if linked and merged["id"] in linked:
            rec["a"] = dict(rec["a"], **{ot: list(dict.fromkeys(
                survivor["id"] if i == merged["id"] else i for i in linked))})
    recs[keep] = survivor
    del recs[gone]


def generate(n_contacts, n_deals, n_calls, version, pipelines=1):
    contacts = [gen_contact(i, n_contacts) for i in range(n_contacts)]
    live = [c for c in contacts if not c["archived"]]
    deals = [gen_deal(i, n_deals, live) for i in range(n_deals)]
    calls = [gen_call(i, n_calls, contacts) for i in range(n_calls)]
    for ot, recs in (("contacts", contacts), ("deals", deals), ("calls", calls)):
        for rec in recs:
            rec["p"]["hubspot_owner_id"] = owner_for(ot, rec["i"])
    if pipelines > 1:
        for rec in deals[3::4]:
            rec["p"]["pipeline"] = PIPELINES[1]["id"]
            rec["p"]["dealstage"] = RENEWAL_STAGE[rec["p"]["dealstage"]]
    later = generate_later(later_sizes(n_contacts, n_deals, n_calls), contacts, deals)
    later_recs = [rec for recs in later.values() for rec in recs]
    for rec in contacts + deals + calls + later_recs:
        for ids in rec["a"].values():
            ids.sort(key=int)
    if version in (2, 3):
        # Changes happen "after" version 1: every version-1 time is <= T_END, so
        # an incremental sync (modified >= last seen) picks them up.
        if n_contacts > 1:
            contacts[1] = bump(contacts[1], "lastmodifieddate", {"lastname": "Updated-Lastname"},
                               V2_TIME + 10 * 3600000)
        if n_deals > 0:
            deals[0] = bump(deals[0], "hs_lastmodifieddate",
                            {"amount": "9999.99", "dealstage": "closedwon"}, V2_TIME + 11 * 3600000)
        extra = gen_contact(n_contacts, n_contacts)
        extra = bump(dict(extra, archived=False), "lastmodifieddate",
                     {"createdate": iso(V2_TIME + 12 * 3600000)}, V2_TIME + 12 * 3600000)
        extra.pop("archivedAt", None)
        extra["createdAt"] = extra["updatedAt"]
        contacts.append(extra)
    if version == 3 and n_contacts > 9:
        # Version 2, then: contact #9 (archived in version 1) is restored,
        # contact #0 is archived, contact #4 is gone for good (past the
        # recycle bin: in neither the live nor the archived list any more),
        # and contact #6 is merged into #3 (listed nowhere; #3 names it in
        # hs_merged_object_ids and is modified).
        restored = bump(contacts[9], "lastmodifieddate", {}, V2_TIME + 13 * 3600000)
        restored["archived"] = False
        restored.pop("archivedAt", None)
        contacts[9] = restored
        gone = bump(contacts[0], "lastmodifieddate", {}, V2_TIME + 14 * 3600000)
        gone["archived"] = True
        gone["archivedAt"] = iso(V2_TIME + 14 * 3600000)
        contacts[0] = gone
        merge_into(contacts, 3, 6, "contacts", "lastmodifieddate", deals + calls + later_recs,
                   V2_TIME + 15 * 3600000)
        del contacts[4]
    if version == 3 and n_deals > 5:
        # And deal #5 is merged into deal #2.
        merge_into(deals, 2, 5, "deals", "hs_lastmodifieddate", contacts + later_recs,
                   V2_TIME + 16 * 3600000)
    if version in (2, 3):
        evolve_later(later, version, contacts, deals)
    if version == 9:
        # Version 1 with every record modified at one instant, as after a
        # bulk update: more than a search query can page through.
        same = T_END - DAY_MS
        for recs, prop in ((contacts, "lastmodifieddate"), (deals, "hs_lastmodifieddate"),
                           (calls, "hs_lastmodifieddate"),
                           *((recs, MODIFIED_PROP[ot]) for ot, recs in later.items())):
            for k, rec in enumerate(recs):
                recs[k] = bump(rec, prop, {}, same)
    data = {"contacts": TypeData(contacts), "deals": TypeData(deals), "calls": TypeData(calls)}
    data.update((ot, TypeData(recs)) for ot, recs in later.items())
    return data


class DataCache:
    def __init__(self):
        self.lock = threading.Lock()
        self.sets = {}
        self.key_locks = collections.defaultdict(threading.Lock)

    def get(self, size, version, pipelines=1):
        key = (size, version, pipelines)
        with self.lock:
            ds = self.sets.get(key)
            if ds is not None:
                return ds
            klock = self.key_locks[key]
        with klock:
            with self.lock:
                ds = self.sets.get(key)
            if ds is None:
                ds = generate(*size, version, pipelines)
                with self.lock:
                    self.sets[key] = ds
            return ds


# ----------------------------------------------------------------------------
# Faults, rate limits, statistics
# ----------------------------------------------------------------------------

# TYPE: a type's name, and for the custom object its type id or fully
# qualified name too (the fault names the type whichever way it is asked for).
FAULT_RE = re.compile(r"^(?:(contacts|deals|calls|companies|tickets|meetings|cars|"
                      + re.escape(CARS_TYPE_ID) + "|" + re.escape(CARS_FQN) + r")\.)?"
                      r"(?:(list|search|associations|properties|pipelines|owners|schemas)\.)?"
                      r"(500|502|503|504|400|403|404|429noretry|429daily|429|slow\d+|malformed|badrecord|shuffled|drop|unstorable"
                      r"|stuckcursor|emptypages|badutf8|badids|huge\d+|echotoken|movemidread|oddprops|assocerrors)"
                      r"(?:\*(\d+))?(?:@(\d+))?$")
FAULT_ERRORS = {
    "500": ("INTERNAL_ERROR", "Internal error, reference: an unexpected error occurred. Please retry."),
    "502": ("INTERNAL_ERROR", "Bad Gateway: the upstream service did not answer in time. Please retry."),
    "503": ("INTERNAL_ERROR", "Service Unavailable: the service is temporarily overloaded. Please retry."),
    "504": ("INTERNAL_ERROR", "Gateway Timeout: the request took too long to process. Please retry."),
    "400": ("VALIDATION_ERROR", "Invalid input: one or more request parameters were not valid."),
    "404": ("OBJECT_NOT_FOUND", "Resource not found"),
}

# Faults that only make sense on some endpoints: elsewhere they neither
# match nor use up their *count.
FAULT_ENDPOINTS = {"stuckcursor": ("list",), "emptypages": ("list",),
                   "badutf8": ("list", "search"), "badids": ("list", "search"),
                   "assocerrors": ("associations",)}
# Faults whose @page means "this page and every later one".
FAULT_FROM_PAGE = ("stuckcursor", "emptypages")
# An emptypages cursor: the prefix, a serial that makes each one new, and
# the cursor of the page it stands for; all digits, like the list's own
# cursors (ids), and longer than any of them.
EMPTY_PAGE_PREFIX = "999999"


def empty_page_cursor(serial, resume):
    return "%s%012d%020d" % (EMPTY_PAGE_PREFIX, serial % 10 ** 12, int(resume or 0))


def opaque_cursor(raw):
    """A list cursor as HubSpot gives it: opaque, the base64 of what it
    stands for, already percent-encoded ('=' as %3D), like the spec's
    example NTI1Cg%3D%3D.  A client passes it back unchanged."""
    return quote(base64.b64encode(raw.encode()).decode(), safe="")


def read_cursor(after):
    """What a cursor received (its query value, percent-decoded once) stands
    for; None if it is not one of ours (for example encoded twice)."""
    try:
        raw = base64.b64decode(after, validate=True).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return raw if re.fullmatch(r"[0-9]+", raw) else None


def resume_cursor(after):
    """The list cursor an emptypages cursor stands for (None: the first page), else after."""
    if after and len(after) == 38 and after.startswith(EMPTY_PAGE_PREFIX):
        return str(int(after[18:])) if int(after[18:]) else None
    return after


NAME_PROPS = ("firstname", "dealname", "hs_call_title", "name", "subject", "hs_meeting_title", "model")


def unstorable_text(body):
    """The answer as JSON text whose first record holds what jsonb cannot
    (valid JSON: JavaScript strings hold these, and HubSpot returns them)."""
    props = body["results"][0].get("properties") or {}
    name = next((n for n in NAME_PROPS if n in props), None)
    if name is None:
        return body
    props[name] = f"{props[name] or ''}\x00@HI@|@LO@|@PAIR@|\\u0000"
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("@HI@", "\\ud83d").replace("@LO@", "\\udc00")
            .replace("@PAIR@", "\\ud83d\\ude00"))


# badutf8's bytes: valid text around four invalid UTF-8 sequences, a lone
# 0xFF, an overlong '/' (C0 AF), a 3-byte sequence cut short (E2 82, then
# ASCII) and the UTF-16 surrogate U+D800 encoded as if it were a character.
BAD_UTF8 = b" Zo\xc3\xab|\xff|\xc0\xaf|\xe2\x82|\xed\xa0\x80|Zo\xc3\xab"


def badutf8_bytes(body):
    """The answer as bytes whose first record's name-like property ends with
    BAD_UTF8: JSON, but not valid UTF-8."""
    first = body["results"][0]
    props = (first.get("properties") if isinstance(first, dict) else None) or {}
    name = next((n for n in NAME_PROPS if n in props), None)
    if name is None:
        return body
    marker = f"@{uuid.uuid4().hex}@"
    props[name] = f"{props[name] or ''}{marker}"
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return data.replace(marker.encode(), BAD_UTF8, 1)


# badids' ids: HubSpot's are always decimal strings.
BAD_IDS = ({"value": "123"}, "1234567890" * 1000, "12a45", 987654)


def bad_id_records(ot, page):
    """badids' records, with the properties the page's records have."""
    first = page[0] if page and isinstance(page[0], dict) else {}
    names = list(first.get("properties") or {}) or DEFAULT_PROPS[ot]
    out = []
    for bad in BAD_IDS:
        props = dict.fromkeys(names)
        for n in names:
            if n == "hs_object_id":
                props[n] = bad["value"] if isinstance(bad, dict) else str(bad)
            elif n in ("createdate", "hs_createdate", MODIFIED_PROP[ot]):
                props[n] = iso(T_START)
        out.append({"id": bad, "properties": props, "createdAt": iso(T_START),
                    "updatedAt": iso(T_START), "archived": False})
    return out


MIB = 1 << 20


def huge_body(body, mb):
    """The answer padded past mb MiB, in pieces: hs_padding, mb MiB of 'x',
    in the first record's properties, or in the answer if it has none."""
    results = body.get("results")
    target = body
    if (isinstance(results, list) and results and isinstance(results[0], dict)
            and isinstance(results[0].get("properties"), dict)):
        target = results[0]["properties"]
    marker = f"@{uuid.uuid4().hex}@"
    target["hs_padding"] = marker
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    head, _, tail = data.partition(marker.encode())
    chunk = b"x" * MIB

    def pieces():
        yield head
        for _ in range(mb):
            yield chunk
        yield tail
    return Parts(len(head) + mb * MIB + len(tail), pieces())


def endpoint_kind(key):
    """list, search, associations or properties, from an Op's stats key."""
    if key.endswith("/search"):
        return "search"
    if "/crm/v4/associations/" in key:
        return "associations"
    if "/crm/v3/associations/" in key:
        return "types"
    if "/crm/v3/properties/" in key:
        return "properties"
    if "/crm/v3/pipelines/" in key:
        return "pipelines"
    if key.endswith("/crm/v3/owners"):
        return "owners"
    if key.endswith("/crm/v3/schemas"):
        return "schemas"
    return "list"


def parse_faults(spec):
    faults = []
    for part in spec.split("+"):
        m = FAULT_RE.match(part)
        if not m:
            raise ValueError(f"invalid fault '{part}'")
        faults.append({"type": TYPE_ALIASES.get(m.group(1), m.group(1)), "endpoint": m.group(2),
                       "kind": m.group(3),
                       "count": int(m.group(4)) if m.group(4) else None,
                       "page": int(m.group(5)) if m.group(5) else None})
    return faults


class RateLimiter:
    def __init__(self, per10s, search_per_s):
        self.per10s, self.search_per_s = per10s, search_per_s
        self.max = per10s or 10000      # unlimited: advertise a large budget
        self.daily = 500000
        self.lock = threading.Lock()
        self.window = collections.deque()
        self.search_window = collections.deque()
        self.daily_used = 0

    def _prune(self, now):
        while self.window and self.window[0] <= now - 10:
            self.window.popleft()
        while self.search_window and self.search_window[0] <= now - 1:
            self.search_window.popleft()

    def headers(self, search=False):
        with self.lock:
            self._prune(time.monotonic())
            h = {"X-HubSpot-RateLimit-Max": str(self.max),
                 "X-HubSpot-RateLimit-Remaining": str(max(0, self.max - len(self.window))),
                 "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                 "X-HubSpot-RateLimit-Daily": str(self.daily),
                 "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily - self.daily_used))}
            # Every answer says the per-second figures too (recorded: Max
            # 110, Secondly 11); a search's are the search endpoint's.
            if search and self.search_per_s:
                secondly, used = self.search_per_s, len(self.search_window)
            else:
                now = time.monotonic()
                secondly = max(1, self.max // 10)
                used = sum(1 for t in self.window if t > now - 1)
            h["X-HubSpot-RateLimit-Secondly"] = str(secondly)
            h["X-HubSpot-RateLimit-Secondly-Remaining"] = str(max(0, secondly - used))
            return h

    def acquire(self, search):
        """None if the request may go on, else (policyName, retry_after_seconds)."""
        with self.lock:
            now = time.monotonic()
            self._prune(now)
            if self.per10s and len(self.window) >= self.per10s:
                return "TEN_SECONDLY_ROLLING", max(1, math.ceil(self.window[0] + 10 - now))
            if search and self.search_per_s and len(self.search_window) >= self.search_per_s:
                return "SECONDLY", max(1, math.ceil(self.search_window[0] + 1 - now))
            self.window.append(now)
            if search:
                self.search_window.append(now)
            self.daily_used += 1
            return None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.data = {"requests": 0, "responses_429": 0, "rate_limited": 0, "dropped": 0,
                         "client_gone": 0, "faults_fired": {}, "by_status": {}, "by_endpoint": {},
                         "by_run": {}}

    def record(self, endpoint, status, run=None, rate_limited=False, fault=None):
        with self.lock:
            d = self.data
            d["requests"] += 1
            st = str(status)
            d["by_status"][st] = d["by_status"].get(st, 0) + 1
            e = d["by_endpoint"].setdefault(endpoint, {"requests": 0, "429": 0, "by_status": {}})
            e["requests"] += 1
            e["by_status"][st] = e["by_status"].get(st, 0) + 1
            if status == 429:
                d["responses_429"] += 1
                e["429"] += 1
            if rate_limited:
                d["rate_limited"] += 1
            if status == "drop":
                d["dropped"] += 1
            if status == "gone":
                d["client_gone"] += 1
            if fault:
                d["faults_fired"][fault] = d["faults_fired"].get(fault, 0) + 1
            if run:
                d["by_run"][run] = d["by_run"].get(run, 0) + 1

    def fault(self, kind):
        with self.lock:
            self.data["faults_fired"][kind] = self.data["faults_fired"].get(kind, 0) + 1

    def snapshot(self):
        with self.lock:
            return json.loads(json.dumps(self.data))


# ----------------------------------------------------------------------------
# HTTP handler
# ----------------------------------------------------------------------------

class Resp:
    """An answer.  body: a dict (sent as UTF-8 JSON), str or bytes sent as
    they are (bytes need not be valid UTF-8), or Parts."""
    def __init__(self, status, body, headers=None, ctype="application/json;charset=utf-8"):
        self.status, self.body, self.headers, self.ctype = status, body, headers or {}, ctype


class Parts:
    """A body already encoded and written piece by piece, so that a large one
    is never whole in memory: its length in bytes, and an iterable of bytes."""
    def __init__(self, length, pieces):
        self.length, self.pieces = length, pieces


def hs_error(status, category, message, headers=None, **extra):
    body = {"status": "error", "message": message, "correlationId": str(uuid.uuid4()),
            "category": category}
    body.update(extra)
    return Resp(status, body, headers)


def missing_scopes(key, objtype):
    """403 as recorded: the scopes the call needs in errors[].context.requiredScopes."""
    kind = endpoint_kind(key)
    scope = ("crm.objects.owners.read" if kind == "owners" else SCHEMAS_SCOPE if kind == "schemas"
             else OAUTH_SCOPES.get(objtype, "crm.objects.contacts.read"))
    return hs_error(403, "MISSING_SCOPES",
                    "This app hasn't been granted all required scopes to make this call. "
                    "Read more about required scopes here: https://developers.hubspot.com/scopes.",
                    errors=[{"message": "One or more of the following scopes are required.",
                             "context": {"requiredScopes": [scope]}}],
                    links={"scopes": "https://developers.hubspot.com/scopes"})


def validation(message):
    return hs_error(400, "VALIDATION_ERROR", message)


def rate_limit_error(policy, retry_after):
    body = {"status": "error", "message": f"You have reached your {policy.lower()} limit.",
            "errorType": "RATE_LIMIT", "correlationId": str(uuid.uuid4()), "policyName": policy,
            "groupName": "api-calls:private-app"}
    headers = {"X-HubSpot-RateLimit-Remaining": "0"}
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    return Resp(429, body, headers)


def batch_error(category, message, from_id, fr, to, **extra):
    """One id's error in a v4 batch answer, as HubSpot words it."""
    err = {"status": "error", "category": category}
    err.update(extra)
    err.update({"message": message, "context": {
        "fromObjectId": [from_id], "fromObjectType": [SINGULAR.get(fr, fr)],
        "toObjectType": [SINGULAR.get(to, to)]}})
    return err


def batch_answer(results, errors, started):
    """A v4 batch answer: 207 (Multi-Status) when some ids are in errors."""
    body = {"status": "COMPLETE", "results": results}
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
    body.update({"startedAt": started, "completedAt": iso(int(time.time() * 1000))})
    return Resp(207 if errors else 200, body)


def assocerrors(resp, body, fr, to):
    """The assocerrors fault: every second id asked for is not read, and
    comes back in errors (an internal error, not "no associations")."""
    try:
        asked = [str(x["id"]) for x in json.loads(body)["inputs"]]
    except (ValueError, KeyError, TypeError):
        return resp
    failed = set(asked[1::2])
    results = [r for r in resp.body.get("results", []) if r["from"]["id"] not in failed]
    errors = [e for e in resp.body.get("errors", [])
              if e["context"]["fromObjectId"][0] not in failed]
    errors += [batch_error("INTERNAL_ERROR", "An internal error occurred while reading the "
                           "associations. Please retry.", i, fr, to) for i in asked[1::2]]
    return batch_answer(results, errors, resp.body.get("startedAt"))


class Op:
    """A routed API request: stats key, object type for faults, page number, action;
    for a list, the cursor it carried and how to link to a page from a cursor;
    for an association read, the type associated."""
    def __init__(self, key, objtype=None, page=None, run=None, search=False, after=None, link=None,
                 to=None):
        self.key, self.objtype, self.page, self.run, self.search = key, objtype, page, run, search
        self.after, self.link, self.to = after, link, to


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's
        # algorithm and the client's delayed ACK stall every response on a
        # reused connection by ~40 ms, which HubSpot does not do.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self):
        return "mock-hubspot/1.0"

    def do_GET(self):
        self.handle_any(self.command)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_request(self, code="-", size="-"):
        pass

    def log_message(self, fmt, *args):
        if not self.server.opts.quiet:
            sys.stderr.write("mock: " + (fmt % args) + "\n")

    # --- plumbing -----------------------------------------------------------

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def client_gone(self):
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def wait(self, seconds):
        """Sleep in small steps; False when the client hung up meanwhile."""
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return True
            if self.client_gone():
                return False
            time.sleep(min(0.05, left))

    def send(self, resp, search=False):
        if isinstance(resp.body, Parts):
            length, pieces = resp.body.length, resp.body.pieces
        else:
            if isinstance(resp.body, (bytes, str)):
                data = resp.body.encode() if isinstance(resp.body, str) else resp.body
            else:
                data = json.dumps(resp.body, ensure_ascii=False, separators=(",", ":")).encode()
            length, pieces = len(data), (data,)
        try:
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.ctype)
            self.send_header("Content-Length", str(length))
            headers = self.server.limiter.headers(search)
            headers.update(resp.headers)
            if isinstance(resp.body, dict) and "correlationId" in resp.body:
                headers["X-HubSpot-Correlation-Id"] = resp.body["correlationId"]
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            for piece in pieces:
                self.wfile.write(piece)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_line(self, method, status, t0):
        if not self.server.opts.quiet:
            path = self.path if len(self.path) <= 200 else self.path[:200] + "..."
            sys.stderr.write("mock: %s %s -> %s (%d ms)\n"
                             % (method, path, status, (time.monotonic() - t0) * 1000))

    # --- request flow -------------------------------------------------------

    def handle_any(self, method):
        t0 = time.monotonic()
        srv = self.server
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        path = urlsplit(self.path).path
        if path in ("/_mock/stats", "/_mock/stats/reset"):
            if path == "/_mock/stats" and method == "GET":
                self.send(Resp(200, srv.stats.snapshot()))
            elif method == "POST" and path == "/_mock/stats/reset":
                srv.stats.reset()
                self.send(Resp(200, {"status": "reset"}))
            else:
                self.send(hs_error(405, "VALIDATION_ERROR", "Method not allowed"))
            return

        status, run, fault_name, limited = None, None, None, False
        key = "other"
        try:
            if len(self.path) > 8000:
                status = 414
                self.send(Resp(414, "<html>\r\n<head><title>414 Request-URI Too Large</title></head>\r\n"
                                    "<body>\r\n<center><h1>414 Request-URI Too Large</h1></center>\r\n"
                                    "<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n",
                               ctype="text/html"))
                return
            ctx = self.parse_prefix(path)
            if isinstance(ctx, Resp):
                status = ctx.status
                self.send(ctx)
                return
            run = ctx["run"]
            op = self.route(method, ctx, body)
            key = op.key
            if srv.opts.latency_ms and not self.wait(srv.opts.latency_ms / 1000):
                status = "gone"
                self.close_connection = True
                return
            auth = self.check_auth(op.key, op.objtype)
            if auth:
                status = auth.status
                self.send(auth, op.search)
                return
            refused = srv.limiter.acquire(op.search)
            if refused:
                limited, status = True, 429
                self.send(rate_limit_error(*refused), op.search)
                return
            try:
                fault = self.pick_fault(ctx, op)
            except ConnectionAbortedError:
                status = "gone"
                self.close_connection = True
                return
            if fault:
                fault_name = fault["kind"]
                kind = fault["kind"]
                if kind == "drop":
                    status = "drop"
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                if kind == "echotoken":
                    header = self.headers.get("Authorization") or ""
                    resp = hs_error(400, "VALIDATION_ERROR",
                                    f"Malformed request with credentials {header.split(None, 1)[-1]}")
                    status = resp.status
                    self.send(resp, op.search)
                    return
                if kind == "403":
                    resp = missing_scopes(op.key, op.objtype)
                    status = resp.status
                    self.send(resp, op.search)
                    return
                if kind in FAULT_ERRORS:
                    resp = hs_error(int(kind), *FAULT_ERRORS[kind])
                    status = resp.status
                    self.send(resp, op.search)
                    return
                if kind.startswith("429"):
                    policy = "DAILY" if kind == "429daily" else "TEN_SECONDLY_ROLLING"
                    resp = rate_limit_error(policy, 1 if kind == "429" else None)
                    status = 429
                    self.send(resp, op.search)
                    return
            try:
                resp = op.run()
            except Exception as e:      # a mock bug: answer 500, keep serving
                import traceback
                traceback.print_exc()
                resp = hs_error(500, "INTERNAL_ERROR", f"mock internal error: {type(e).__name__}")
            if fault and resp.status in (200, 207) and isinstance(resp.body, dict):
                if fault["kind"] == "badrecord" and isinstance(resp.body.get("results"), list):
                    resp.body["results"] += [42, {"properties": {"email": "no-id@example.com"},
                                                  "createdAt": iso(T_START), "updatedAt": iso(T_START),
                                                  "archived": False}]
                elif fault["kind"] == "unstorable" and resp.body.get("results"):
                    resp.body = unstorable_text(resp.body)
                elif fault["kind"] == "badutf8" and resp.body.get("results"):
                    resp.body = badutf8_bytes(resp.body)
                elif fault["kind"] == "badids" and isinstance(resp.body.get("results"), list):
                    resp.body["results"] += bad_id_records(op.objtype, resp.body["results"])
                elif fault["kind"].startswith("huge"):
                    resp.body = huge_body(resp.body, int(fault["kind"][4:]))
                elif fault["kind"] == "oddprops" and isinstance(resp.body.get("results"), list):
                    resp.body["results"].append({
                        "name": "odd_flags", "label": "Odd flags", "type": "string",
                        "fieldType": "text", "groupName": "contactinformation",
                        "description": "", "hidden": "sometimes", "calculated": 1})
                elif fault["kind"] == "assocerrors":
                    resp = assocerrors(resp, body, op.objtype, op.to)
                elif fault["kind"] == "shuffled" and isinstance(resp.body.get("results"), list):
                    resp.body["results"].reverse()
                elif fault["kind"] == "stuckcursor" and op.link:
                    # Echo the request's cursor; without one the usual next
                    # cursor stands in, and is echoed from the next page on.
                    cursor = op.after or (resp.body.get("paging") or {}).get("next", {}).get("after")
                    if cursor:
                        resp.body["paging"] = {"next": {"after": cursor, "link": op.link(cursor)}}
                elif fault["kind"] == "emptypages" and op.link:
                    with srv.fault_lock:
                        srv.empty_pages += 1
                        cursor = opaque_cursor(empty_page_cursor(
                            srv.empty_pages, resume_cursor(read_cursor(unquote(op.after)) if op.after else None)))
                    resp.body = {"results": [], "paging": {"next": {"after": cursor,
                                                                    "link": op.link(cursor)}}}
                elif fault["kind"] == "malformed":
                    text = json.dumps(resp.body, ensure_ascii=False, separators=(",", ":"))
                    resp.body = text[:max(8, len(text) // 2)]
            status = resp.status
            self.send(resp, op.search)
        finally:
            if status is not None:
                srv.stats.record(key, status, run, limited, fault_name)
                self.log_line(method, status, t0)
                srv.note_request(method, self.path, body, status)

    def parse_prefix(self, path):
        segs = path.split("/")[1:]
        ctx = {"faults": [], "version": 1, "size": self.server.default_size, "run": None,
               "assoc_page": None, "pipelines": self.server.opts.pipelines}
        used = []
        while segs and segs[0].startswith("_"):
            name = segs[0]
            if len(segs) < 2 or name not in ("_fault", "_version", "_size", "_run",
                                                   "_assocpage", "_pipelines"):
                return hs_error(404, "OBJECT_NOT_FOUND", f"mock: unknown path prefix segment '{name}'")
            value = unquote(segs[1])
            used += segs[:2]
            segs = segs[2:]
            try:
                if name == "_fault":
                    ctx["faults"] += parse_faults(value)
                elif name == "_version":
                    ctx["version"] = int(value)
                    if ctx["version"] not in (1, 2, 3, 9):
                        raise ValueError("version must be 1, 2, 3 or 9")
                elif name == "_size":
                    size = tuple(int(x) for x in value.split("x"))
                    if len(size) != 3 or min(size) < 0 or max(size) > 1000000:
                        raise ValueError("size must be CONTACTSxDEALSxCALLS")
                    ctx["size"] = size
                elif name == "_pipelines":
                    ctx["pipelines"] = int(value)
                    if ctx["pipelines"] not in (1, 2):
                        raise ValueError("pipelines must be 1 or 2")
                elif name == "_assocpage":
                    ctx["assoc_page"] = int(value)
                    if ctx["assoc_page"] < 1:
                        raise ValueError("an association page holds at least 1 id")
                else:
                    ctx["run"] = value
            except ValueError as e:
                return hs_error(404, "OBJECT_NOT_FOUND", f"mock: bad {name} segment: {e}")
        ctx["prefix"] = "/" + "/".join(used) if used else ""
        ctx["rest"] = "/" + "/".join(segs)
        return ctx

    def check_auth(self, key="other", objtype=None):
        token = self.server.opts.token
        header = self.headers.get("Authorization") or ""
        parts = header.split(None, 1)
        presented = parts[1].strip() if len(parts) == 2 and parts[0].lower() == "bearer" else None
        if presented == token + "-noscopes":
            return missing_scopes(key, objtype)
        if presented != token:
            return hs_error(401, "INVALID_AUTHENTICATION",
                            "Authentication credentials not found. This API supports OAuth 2.0 "
                            "authentication and you can find more details at "
                            "https://developers.hubspot.com/docs/methods/auth/oauth-overview")
        return None

    def pick_fault(self, ctx, op):
        """Apply every matching slow fault, then return the first other matching fault."""
        for n, f in enumerate(ctx["faults"]):
            if f["type"] and f["type"] != op.objtype:
                continue
            if f["endpoint"] and f["endpoint"] != endpoint_kind(op.key):
                continue
            if f["kind"] in FAULT_ENDPOINTS and endpoint_kind(op.key) not in FAULT_ENDPOINTS[f["kind"]]:
                continue
            if f["page"] is not None:
                if f["kind"] in FAULT_FROM_PAGE:
                    if op.page is None or op.page < f["page"]:
                        continue
                elif f["page"] != op.page:
                    continue
            if f["count"] is not None:
                with self.server.fault_lock:
                    k = (ctx["prefix"], n)
                    used = self.server.fault_counts.get(k, 0)
                    if used >= f["count"]:
                        continue
                    self.server.fault_counts[k] = used + 1
            if f["kind"].startswith("slow"):
                self.server.stats.fault(f["kind"])
                if not self.wait(int(f["kind"][4:]) / 1000):
                    raise ConnectionAbortedError
                continue
            return f
        return None

    # --- routing ------------------------------------------------------------

    def route(self, method, ctx, body):
        rest, srv = ctx["rest"], self.server
        ds = lambda: srv.cache.get(ctx["size"], ctx["version"], ctx["pipelines"])
        m = re.fullmatch(r"/crm/v3/objects/([^/]+)(/search)?/?", rest)
        if m:
            ot = TYPE_ALIASES.get(m.group(1))
            if m.group(2):
                key = f"POST /crm/v3/objects/{ot or m.group(1)}/search"
                if method != "POST":
                    return Op(key, ot, run=lambda: hs_error(405, "VALIDATION_ERROR", "Method not allowed"))
                return self.prep_search(key, ot, m.group(1), body, ds, ctx)
            key = f"GET /crm/v3/objects/{ot or m.group(1)}"
            if method != "GET":
                return Op(key, ot, run=lambda: hs_error(405, "VALIDATION_ERROR", "Method not allowed"))
            return self.prep_list(key, ot, m.group(1), ds, ctx)
        m = re.fullmatch(r"/crm/v3/properties/([^/]+)/?", rest)
        if m and method == "GET":
            ot = TYPE_ALIASES.get(m.group(1))
            return Op(f"GET /crm/v3/properties/{ot or m.group(1)}", ot,
                      run=lambda: self.properties(ot, m.group(1)))
        m = re.fullmatch(r"/crm/v3/associations/([^/]+)/([^/]+)/types/?", rest)
        if m and method == "GET":
            fr, to = TYPE_ALIASES.get(m.group(1)), TYPE_ALIASES.get(m.group(2))
            return Op(f"GET /crm/v3/associations/{fr}/{to}/types", fr,
                      run=lambda: self.assoc_types(fr, to, m.group(1), m.group(2)))
        m = re.fullmatch(r"/crm/v4/associations/([^/]+)/([^/]+)/batch/read/?", rest)
        if m and method == "POST":
            fr, to = TYPE_ALIASES.get(m.group(1)), TYPE_ALIASES.get(m.group(2))
            return Op(f"POST /crm/v4/associations/{fr}/{to}/batch/read", fr, to=to,
                      run=lambda: self.assoc_batch(fr, to, m.group(1), m.group(2), body, ds,
                                                   ctx["assoc_page"] or V4_ASSOC_PAGE))
        m = re.fullmatch(r"/crm/v3/pipelines/([^/]+)/?", rest)
        if m and method == "GET":
            ot = TYPE_ALIASES.get(m.group(1))
            return Op(f"GET /crm/v3/pipelines/{ot or m.group(1)}", ot,
                      run=lambda: self.pipelines(ot, m.group(1), ctx["pipelines"]))
        if re.fullmatch(r"/crm/v3/owners/?", rest) and method == "GET":
            return self.prep_owners(ctx)
        if re.fullmatch(r"/crm/v3/schemas/?", rest) and method == "GET":
            return self.prep_schemas()
        return Op("other", None,
                  run=lambda: hs_error(404, "OBJECT_NOT_FOUND", f"No route for {method} {rest}"))

    def pipelines(self, ot, raw_type, n):
        if ot == "tickets":
            return Resp(200, {"results": TICKET_PIPELINES[:]})
        if ot == "cars":
            # A custom object has pipelines only where the portal made some.
            return Resp(200, {"results": []})
        if ot != "deals":
            return validation(f"Unable to infer object type from: {raw_type}")
        return Resp(200, {"results": PIPELINES[:n]})

    def prep_schemas(self):
        """GET /crm/v3/schemas: the portal's custom object types; archived=true
        lists the archived ones (none here)."""
        key = "GET /crm/v3/schemas"
        q = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        archived = q.get("archived", "false").lower()
        if archived not in ("true", "false"):
            return Op(key, None, run=lambda: validation(f"Invalid archived value: {archived!r}"))
        schemas = [] if archived == "true" else [self.server.cars_schema]
        return Op(key, None, run=lambda: Resp(200, {"results": schemas}))

    def prep_owners(self, ctx):
        """GET /crm/v3/owners: limit (at most 500), after (opaque), archived."""
        key = "GET /crm/v3/owners"
        q = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        try:
            limit = int(q.get("limit", "100"))
        except ValueError:
            return Op(key, None, run=lambda: validation(f"Invalid limit: {q['limit']!r}"))
        if limit < 1 or limit > 500:
            return Op(key, None, run=lambda: validation(f"limit must be between 1 and 500 (got {limit})"))
        archived = q.get("archived", "false").lower()
        if archived not in ("true", "false"):
            return Op(key, None, run=lambda: validation(f"Invalid archived value: {archived!r}"))
        sent = q.get("after")
        after = read_cursor(sent) if sent is not None else None
        if sent is not None and (after is None or not after.isdigit()):
            return Op(key, None, run=lambda: validation(f"Invalid paging cursor: {sent!r}"))
        owners = [o for o in self.server.owners if o["archived"] == (archived == "true")]
        start = int(after) if after else 0

        def run():
            out = {"results": owners[start:start + limit]}
            if start + limit < len(owners):
                nxt = opaque_cursor(str(start + limit))
                query = urlencode([(k, v) for k, v in q.items() if k != "after"])
                out["paging"] = {"next": {"after": nxt, "link": f"{self.server.base_url}{ctx['prefix']}"
                                                             f"/crm/v3/owners?{query}&after={nxt}"}}
            return Resp(200, out)
        return Op(key, None, page=start // limit + 1, run=run)

    def prop_names(self, ot, requested):
        extra = self.server.opts.extra_properties if ot == "contacts" else 0
        names = [n for n in requested if n]
        if not names:
            return DEFAULT_PROPS[ot]
        known = self.server.prop_sets[ot]
        out = []
        for n in names:
            if n in known or (extra and n.startswith("custom_prop_") and n[12:].isdigit()
                              and 1 <= int(n[12:]) <= extra and n == self.server.custom_name(int(n[12:]))):
                if n not in out:
                    out.append(n)
        return out

    def value(self, rec, name):
        if name.startswith("custom_prop_"):
            k = int(name[12:])
            return f"cp{k}-{(rec['i'] * 7 + k) % 100}"
        return rec["p"].get(name)

    def record_json(self, ot, rec, props, assoc=(), assoc_page=LIST_ASSOC_PAGE):
        out = {"id": rec["id"], "properties": {n: self.value(rec, n) for n in props},
               "createdAt": rec["createdAt"], "updatedAt": rec["updatedAt"],
               "archived": rec["archived"]}
        if rec["archived"]:
            out["archivedAt"] = rec["archivedAt"]
        out["url"] = f"https://app.hubspot.com/contacts/{PORTAL_ID}/record/{OBJECT_TYPE_IDS[ot]}/{rec['id']}"
        assocs = {}
        for a in assoc:
            # An id once per association type it has, as HubSpot's v3 lists.
            entries = [{"id": i, "type": d[0]} for i in rec["a"].get(a, [])
                       for d in assoc_defs(ot, a, rec, i)]
            if entries:
                key = ASSOC_KEY.get(a, a)
                assocs[key] = {"results": entries[:assoc_page]}
                if len(entries) > assoc_page:
                    link = (f"{self.server.base_url}/crm/v3/objects/{ASSOC_KEY.get(ot, ot)}/{rec['id']}"
                            f"/associations/{key}?after={assoc_page}")
                    assocs[key]["paging"] = {"next": {"after": str(assoc_page), "link": link}}
        if assocs:
            out["associations"] = assocs
        return out

    def prep_list(self, key, ot, raw_type, ds, ctx):
        if ot is None:
            return Op(key, None, run=lambda: validation(f"Unable to infer object type from: {raw_type}"))
        pairs = parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
        q = collections.defaultdict(list)
        for k, v in pairs:
            q[k].append(v)
        try:
            limit = int(q["limit"][-1]) if q.get("limit") else 10
        except ValueError:
            return Op(key, ot, run=lambda: validation(f"Invalid limit: {q['limit'][-1]!r}"))
        if limit < 1 or limit > 100:
            return Op(key, ot, run=lambda: validation(
                f"limit must be between 1 and 100 (got {limit})"))
        archived_s = (q["archived"][-1] if q.get("archived") else "false").lower()
        if archived_s not in ("true", "false"):
            return Op(key, ot, run=lambda: validation(f"Invalid archived value: {archived_s!r}"))
        sent = q["after"][-1] if q.get("after") else None
        after = read_cursor(sent) if sent is not None else None
        if sent is not None and after is None:
            return Op(key, ot, run=lambda: validation(f"Invalid paging cursor: {sent!r}"))
        td = ds()[ot]
        recs, nids = (td.arch, td.arch_nids) if archived_s == "true" else (td.live, td.live_nids)
        resume = resume_cursor(after)
        start = bisect.bisect_left(nids, int(resume)) if resume else 0
        props = self.prop_names(ot, [p.strip() for v in q.get("properties", []) for p in v.split(",")])
        assoc = []
        for v in q.get("associations", []):
            for a in v.split(","):
                a = TYPE_ALIASES.get(a.strip())
                if a and (ot, a) in ASSOC_DEFS and a not in assoc:
                    assoc.append(a)

        def link(cursor):
            # The cursor goes in as it is: it is already percent-encoded.
            query = urlencode([(k, v) for k, v in pairs if k != "after"])
            return f"{self.server.base_url}{ctx['prefix']}/crm/v3/objects/{raw_type}?{query}&after={cursor}"

        def run():
            out = {"results": [self.record_json(ot, r, props, assoc, ctx["assoc_page"] or LIST_ASSOC_PAGE)
                               for r in recs[start:start + limit]]}
            if start + limit < len(recs):
                nxt = opaque_cursor(recs[start + limit]["id"])
                out["paging"] = {"next": {"after": nxt, "link": link(nxt)}}
            return Resp(200, out)
        return Op(key, ot, page=start // limit + 1, run=run,
                  after=opaque_cursor(after) if after is not None else None, link=link)

    def prep_search(self, key, ot, raw_type, body, ds, ctx):
        if ot is None:
            return Op(key, None, run=lambda: validation(f"Unable to infer object type from: {raw_type}"),
                      search=True)
        try:
            req = json.loads(body or b"{}")
            if not isinstance(req, dict):
                raise ValueError("body must be a JSON object")
            limit = int(req.get("limit", 10))
            after = int(str(req.get("after") or 0))
        except (ValueError, TypeError) as e:
            # The lambda runs after this clause, which unbinds e.
            message = f"Invalid input JSON: {e}"
            return Op(key, ot, run=lambda: validation(message), search=True)
        page = after // limit + 1 if limit > 0 else 1
        moving = any(f["kind"] == "movemidread" and f["type"] in (None, ot)
                     and f["endpoint"] in (None, "search") for f in ctx["faults"])
        return Op(key, ot, page=page, search=True,
                  run=lambda: self.search(ot, req, limit, after, ds,
                                          ctx["prefix"] if moving else None))

    def properties(self, ot, raw_type):
        if ot is None:
            return validation(f"Unable to infer object type from: {raw_type}")
        # A copy: faults that edit an answer (oddprops, shuffled) must not
        # edit the server's own definitions for every later answer.
        return Resp(200, {"results": list(self.server.property_defs[ot])})

    def assoc_batch(self, fr, to, raw_fr, raw_to, body, ds, assoc_page):
        if fr is None or to is None:
            return validation(f"Unable to infer object type from: {raw_fr if fr is None else raw_to}")
        try:
            req = json.loads(body or b"{}")
            inputs = req["inputs"]
            ids = [str(x["id"]) for x in inputs]
            afters = [int(str(x.get("after") or 0)) for x in inputs]
        except (ValueError, KeyError, TypeError, AttributeError):
            return validation("Invalid input JSON: expected {\"inputs\": [{\"id\": \"...\", \"after\": \"...\"}]}")
        if len(ids) > 1000:
            return validation(f"Too many inputs: {len(ids)} (at most 1000)")
        started = iso(int(time.time() * 1000))
        td, results, errors = ds()[fr], [], []
        pair = (fr, to) in ASSOC_DEFS
        for i, after in zip(ids, afters):
            rec = td.by_id.get(i)
            linked = rec["a"].get(to, [])[after:] if rec and pair else []
            if linked:
                # One entry per target, with every type it has; toObjectId
                # a JSON number (the spec says string; HubSpot sends numbers).
                result = {"from": {"id": i}, "to": [
                    {"toObjectId": int(t), "associationTypes": [
                        {"category": d[1], "typeId": d[2], "label": d[3]}
                        for d in assoc_defs(fr, to, rec, t)]}
                    for t in linked[:assoc_page]]}
                if len(linked) > assoc_page:
                    result["paging"] = {"next": {"after": str(after + assoc_page)}}
                results.append(result)
            else:
                # HubSpot answers "none" as a per-id error (207), not [].
                errors.append(batch_error(
                    "OBJECT_NOT_FOUND", f"No {SINGULAR.get(to, to)} is associated with "
                    f"{SINGULAR.get(fr, fr)} {i}.", i, fr, to,
                    subCategory="crm.associations.NO_ASSOCIATIONS_FOUND"))
        return batch_answer(results, errors, started)

    def assoc_types(self, fr, to, raw_fr, raw_to):
        if fr is None or to is None:
            return validation(f"Unable to infer object type from: {raw_fr if fr is None else raw_to}")
        return Resp(200, {"results": [{"id": str(d[2]), "name": d[0]}
                                      for d in ASSOC_DEFS.get((fr, to), [])]})

    # --- search -------------------------------------------------------------

    def moved_record(self, ot, rec):
        """rec as modified at MOVED_TIME (the movemidread fault)."""
        moved = dict(rec, p=dict(rec["p"]), updatedAt=iso(MOVED_TIME))
        moved["p"][MODIFIED_PROP[ot]] = iso(MOVED_TIME)
        return moved

    def search(self, ot, req, limit, after, ds, move_key=None):
        moved_id = None
        if move_key is not None:
            with self.server.fault_lock:
                state = self.server.moved.setdefault(move_key, {"served": 0, "id": None})
                state["served"] += 1
                moved_id = state["id"]
        groups = req.get("filterGroups") or []
        sorts = req.get("sorts") or []
        if not isinstance(groups, list) or not isinstance(sorts, list):
            return validation("Invalid input JSON: filterGroups and sorts must be arrays")
        if len(groups) > 5:
            return validation(f"Too many filter groups: {len(groups)} (at most 5)")
        total_filters = 0
        for g in groups:
            fl = g.get("filters") or [] if isinstance(g, dict) else None
            if not isinstance(fl, list):
                return validation("Invalid input JSON: each filter group needs a filters array")
            if len(fl) > 10:
                return validation(f"Too many filters in a group: {len(fl)} (at most 10)")
            total_filters += len(fl)
        if total_filters > 25:
            return validation(f"Too many filters: {total_filters} (at most 25 in all)")
        if limit < 0 or limit > 200:
            return validation(f"limit must be between 0 and 200 (got {limit})")
        if after < 0:
            return validation(f"Invalid after: {after}")
        if after + limit > 10000:
            return validation(f"The search API cannot page beyond 10000 results (after={after}, "
                              f"limit={limit}). Narrow the query, e.g. restart it with a filter "
                              f"on {MODIFIED_PROP[ot]} from the last value seen.")
        props = req.get("properties") or []
        if not isinstance(props, list):
            return validation("Invalid input JSON: properties must be an array")
        props = self.prop_names(ot, [str(p) for p in props])
        try:
            compiled = [[self.compile_filter(ot, f) for f in (g.get("filters") or [])] for g in groups]
            sort_prop, descending = None, False
            if sorts:
                s = sorts[0]
                if isinstance(s, str):
                    sort_prop, descending = s.lstrip("-"), s.startswith("-")
                else:
                    sort_prop = s["propertyName"]
                    descending = str(s.get("direction", "ASCENDING")).upper() == "DESCENDING"
        except (KeyError, TypeError, ValueError) as e:
            return validation(f"Invalid search request: {e}")
        cache_key = (id(ds()), ot, json.dumps([groups, sorts], sort_keys=True, default=str), moved_id)
        matched = self.server.search_cache_get(cache_key)
        if matched is None and moved_id is None:
            matched = self.id_range(ds()[ot], groups, sort_prop, descending)
        if matched is None:
            live = ds()[ot].live
            if moved_id is not None:
                live = [self.moved_record(ot, r) if r["id"] == moved_id else r for r in live]
            if compiled:
                live = [r for r in live if any(all(f(r) for f in g) for g in compiled)]
            if sort_prop:
                kind = self.server.kind(ot, sort_prop)
                keyed = []
                for r in live:
                    v = self.typed(kind, self.value_safe(ot, r, sort_prop))
                    keyed.append(((v is None) != descending, v if v is not None else 0, r))
                keyed.sort(key=lambda t: (t[0], t[1]), reverse=descending)
                live = [t[2] for t in keyed]
            matched = live
            self.server.search_cache_put(cache_key, matched)
        out = {"total": len(matched),
               "results": [self.record_json(ot, r, props) for r in matched[after:after + limit]]}
        if move_key is not None and moved_id is None and out["results"]:
            with self.server.fault_lock:
                self.server.moved[move_key]["id"] = out["results"][0]["id"]
        if after + limit < len(matched):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return Resp(200, out)

    @staticmethod
    def id_range(td, groups, sort_prop, descending):
        """Records matching hs_object_id bounds only, sorted by id, without a scan
        (a keyset-paged full read asks this once a page); None for other queries."""
        filters = groups[0].get("filters") or [] if len(groups) == 1 else None
        if not filters or sort_prop not in (None, "hs_object_id", "id"):
            return None
        lo, hi = 0, len(td.live_nids)
        for f in filters:
            op = str(f.get("operator", "EQ")).upper()
            if f.get("propertyName") not in ("hs_object_id", "id") or op not in ("LT", "LTE", "GT", "GTE"):
                return None
            v = parse_num(f.get("value"))
            if v is None:
                return None
            if op == "LT":
                hi = min(hi, bisect.bisect_left(td.live_nids, v))
            elif op == "LTE":
                hi = min(hi, bisect.bisect_right(td.live_nids, v))
            elif op == "GT":
                lo = max(lo, bisect.bisect_right(td.live_nids, v))
            else:
                lo = max(lo, bisect.bisect_left(td.live_nids, v))
        matched = td.live[lo:hi] if lo < hi else []
        return matched[::-1] if descending else matched

    def value_safe(self, ot, rec, name):
        if name == "id":
            name = "hs_object_id"
        if ot == "contacts" and name.startswith("custom_prop_") and self.prop_names(ot, [name]) == [name]:
            return self.value(rec, name)
        return rec["p"].get(name)

    @staticmethod
    def typed(kind, v):
        if v is None or v == "":
            return None
        if kind == "date":
            return parse_ms(v)
        if kind == "number":
            return parse_num(v)
        return str(v).casefold()

    def compile_filter(self, ot, f):
        name, op = f["propertyName"], str(f.get("operator", "EQ")).upper()
        kind = self.server.kind(ot, name)

        def val(x):
            t = self.typed(kind, x)
            if t is None:
                raise ValueError(f"invalid value {x!r} for property {name}")
            return t
        get = lambda r: self.typed(kind, self.value_safe(ot, r, name))
        if op == "HAS_PROPERTY":
            return lambda r: self.value_safe(ot, r, name) not in (None, "")
        if op == "NOT_HAS_PROPERTY":
            return lambda r: self.value_safe(ot, r, name) in (None, "")
        if op in ("IN", "NOT_IN"):
            values = {val(x) for x in f["values"]}
            if op == "IN":
                return lambda r: get(r) in values
            return lambda r: get(r) not in values
        if op == "CONTAINS_TOKEN":
            token = str(f["value"]).casefold().strip("*")
            return lambda r: token in str(self.value_safe(ot, r, name) or "").casefold()
        if op == "BETWEEN":
            lo, hi = val(f["value"]), val(f["highValue"])
            return lambda r: (v := get(r)) is not None and lo <= v <= hi
        cmp = {"EQ": lambda a, b: a == b, "NEQ": lambda a, b: a != b, "LT": lambda a, b: a < b,
               "LTE": lambda a, b: a <= b, "GT": lambda a, b: a > b, "GTE": lambda a, b: a >= b}
        if op not in cmp:
            raise ValueError(f"unknown operator {op}")
        target, fn = val(f["value"]), cmp[op]
        if op == "NEQ":
            return lambda r: (v := get(r)) is None or v != target
        return lambda r: (v := get(r)) is not None and fn(v, target)


# ----------------------------------------------------------------------------
# Server
# ----------------------------------------------------------------------------

def cars_schema(properties):
    """The custom object's schema as GET /crm/v3/schemas lists it: its names
    and ids, display and search properties, property definitions (as GET
    /crm/v3/properties gives them) and association definitions (both
    directions, with their typeIds as ids)."""
    assocs = [{"fromObjectTypeId": OBJECT_TYPE_IDS[fr], "toObjectTypeId": OBJECT_TYPE_IDS[to],
               "name": defs[0][0], "id": str(defs[0][2]),
               "createdAt": "2024-05-14T08:12:40.117Z", "updatedAt": "2024-05-14T08:12:40.117Z"}
              for (fr, to), defs in ASSOC_DEFS.items() if "cars" in (fr, to)]
    return {"id": CARS_TYPE_ID.split("-")[1], "name": "cars",
            "labels": {"singular": "Car", "plural": "Cars"},
            "objectTypeId": CARS_TYPE_ID, "fullyQualifiedName": CARS_FQN,
            "primaryDisplayProperty": "model", "secondaryDisplayProperties": ["make", "year"],
            "requiredProperties": ["model"], "searchableProperties": ["model", "make", "vin"],
            "properties": properties, "associations": assocs,
            "archived": False, "metaType": "PORTAL_SPECIFIC", "allowsSensitiveProperties": False,
            "createdByUserId": 9100000, "updatedByUserId": 9100000,
            "createdAt": "2024-05-14T08:12:39.552Z", "updatedAt": "2025-02-03T10:27:18.904Z"}


class MockServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        # A client that drops its connection (a sync canceled or killed, a
        # request it no longer wants) is normal: no traceback for it.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    def __init__(self, opts):
        super().__init__((opts.host, opts.port), Handler)
        self.opts = opts
        self.base_url = f"http://{opts.host}:{self.server_address[1]}"
        self.default_size = (opts.contacts, opts.deals, opts.calls)
        self.cache = DataCache()
        self.stats = Stats()
        self.limiter = RateLimiter(opts.rate_limit, opts.search_rate_limit)
        self.fault_lock = threading.Lock()
        self.fault_counts = {}
        self.moved = {}             # movemidread: prefix -> the record modified mid-read
        self.empty_pages = 0            # emptypages cursors issued, under fault_lock
        self.search_lock = threading.Lock()
        self.search_cache = collections.OrderedDict()
        self.request_log_lock = threading.Lock()
        self.request_log = open(opts.request_log, "a", encoding="utf-8") if opts.request_log else None
        self.owners = [gen_owner(k) for k in range(max(OWNERS_ASSIGNED, opts.owners))]
        self.kinds = {ot: {p[0]: p[2] for p in PROPS[ot]} for ot in TYPES}
        self.prop_sets = {ot: set(self.kinds[ot]) for ot in TYPES}
        self.property_defs = {ot: [self.prop_def(ot, *p) for p in PROPS[ot]] for ot in TYPES}
        for k in range(1, opts.extra_properties + 1):
            name = self.custom_name(k)
            self.property_defs["contacts"].append(self.prop_def(
                "contacts", name, f"Custom property {k}", "string", "text", "custom_properties", None))
        self.cars_schema = cars_schema(self.property_defs["cars"])

    def note_request(self, method, path, body, status):
        """One line in the --request-log file, if there is one."""
        if self.request_log is None:
            return
        line = {"method": method, "path": path, "body": None, "status": status}
        if body:
            try:
                line["body"] = json.loads(body)
            except ValueError:
                line["body_raw"] = body.decode("utf-8", "replace")
        text = json.dumps(line) + "\n"
        with self.request_log_lock:
            self.request_log.write(text)
            self.request_log.flush()

    def custom_name(self, k):
        return "custom_prop_%0*d" % (max(3, len(str(self.opts.extra_properties))), k)

    @staticmethod
    def prop_def(ot, name, label, ptype, field, group, options):
        """A definition with the fields real ones have (see the recorded
        GET /crm/v3/properties/companies): options for enumerations and
        booleans (labelled Yes/No), labels that are not the values."""
        if ptype == "bool":
            opts = [("Yes", "true"), ("No", "false")]
        else:
            opts = [(o.replace("_", " ").capitalize(), o) for o in options or []]
        hubspot_defined = name.startswith("hs_") or name in DEFAULT_PROPS[ot]
        return {"updatedAt": "2024-09-20T18:57:04.182Z", "createdAt": "2019-08-06T02:41:47.181Z",
                "name": name, "label": label, "type": ptype, "fieldType": field,
                "description": f"{label} of the {SINGULAR[ot]}.", "groupName": group,
                "options": [{"label": lab, "value": val, "displayOrder": n, "hidden": False}
                            for n, (lab, val) in enumerate(opts)],
                "displayOrder": -1, "calculated": False, "externalOptions": False,
                "hasUniqueValue": name == "hs_object_id", "hidden": False,
                "hubspotDefined": hubspot_defined,
                "modificationMetadata": {"archivable": True, "readOnlyDefinition": hubspot_defined,
                                         "readOnlyValue": name in ("hs_object_id", MODIFIED_PROP[ot])},
                "formField": field != "calculation_equation", "dataSensitivity": "non_sensitive"}

    def kind(self, ot, name):
        t = self.kinds[ot].get("hs_object_id" if name == "id" else name, "string")
        return "date" if t in ("date", "datetime") else "number" if t == "number" else "string"

    def search_cache_get(self, key):
        with self.search_lock:
            hit = self.search_cache.get(key)
            if hit is not None:
                self.search_cache.move_to_end(key)
            return hit

    def search_cache_put(self, key, value):
        with self.search_lock:
            self.search_cache[key] = value
            while len(self.search_cache) > 64:
                self.search_cache.popitem(last=False)


def main():
    ap = argparse.ArgumentParser(description="Mock HubSpot CRM API for hubspot_sync tests.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=18765)
    ap.add_argument("--contacts", type=int, default=120)
    ap.add_argument("--deals", type=int, default=40)
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument("--extra-properties", type=int, default=0,
                    help="add custom_prop_001..NNN (string) to every contact")
    ap.add_argument("--latency-ms", type=int, default=0, help="sleep before every API response")
    ap.add_argument("--rate-limit", type=int, default=0, help="requests per rolling 10 s (0: none)")
    ap.add_argument("--search-rate-limit", type=int, default=0, help="search requests per second")
    ap.add_argument("--owners", type=int, default=OWNERS_ASSIGNED,
                    help=f"owners in GET /crm/v3/owners (at least {OWNERS_ASSIGNED})")
    ap.add_argument("--pipelines", type=int, default=1, choices=(1, 2),
                    help="deal pipelines: 2 adds a custom one holding every fourth deal")
    ap.add_argument("--token", default="pat-na1-test-token")
    ap.add_argument("--quiet", action="store_true", help="no per-request log")
    ap.add_argument("--request-log", metavar="FILE",
                    help="append a JSON line per API request (method, path, body, status)")
    opts = ap.parse_args()

    server = MockServer(opts)
    server.cache.get(server.default_size, 1)        # warm the default data set

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"mock HubSpot listening on {server.base_url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
