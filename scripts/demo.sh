#!/usr/bin/env bash
# Demo: build and install hubspot_sync, start a throwaway PostgreSQL 15
# cluster, sync HubSpot into it, print a few rows, and serve the sales
# dashboard over it on http://127.0.0.1:3000 until Ctrl-C (DEMO_DASHBOARD=0:
# stop after the rows instead).
#
# Without HUBSPOT_TOKEN the data comes from the bundled mock HubSpot on
# 127.0.0.1 (29,000 contacts, 1,000 deals in two pipelines, 200 calls: the design's portal).
# With HUBSPOT_TOKEN=pat-… it syncs your real portal (HUBSPOT_API_URL to
# override https://api.hubapi.com).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/mock.sh

bash scripts/install-deps.sh
make >/dev/null
make install >/dev/null

if [ -z "${HUBSPOT_TOKEN:-}" ]; then
    port=18766
    start_mock "$port" --contacts "${DEMO_CONTACTS:-29000}" --deals "${DEMO_DEALS:-1000}" --calls "${DEMO_CALLS:-200}" --pipelines 2 \
        --token pat-na1-demo-token
    api_url="http://127.0.0.1:$port"
    token=pat-na1-demo-token
    # The mock has no request budget: don't pace as for HubSpot's.
    rate_limit=1000
    # The mock serves companies too: the demo adds them as one more type.
    export DEMO_COMPANIES="${DEMO_COMPANIES:-on}"
    echo "demo: syncing from the mock HubSpot at $api_url"
else
    api_url="${HUBSPOT_API_URL:-https://api.hubapi.com}"
    token="$HUBSPOT_TOKEN"
    rate_limit="${HUBSPOT_RATE_LIMIT:-100}"
    # Companies need crm.objects.companies.read: DEMO_COMPANIES=on if the app has it.
    export DEMO_COMPANIES="${DEMO_COMPANIES:-off}"
    echo "demo: syncing from $api_url"
fi

# The token reaches the server through its configuration file, never a
# command line or a query text.
conf=$(mktemp)
chmod 600 "$conf"
trap 'rm -f "$conf"; for p in "${MOCK_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
cat > "$conf" <<CONF
shared_preload_libraries = 'hubspot_sync'
hubspot_sync.api_url = '$api_url'
hubspot_sync.access_token = '$token'
hubspot_sync.rate_limit = $rate_limit
CONF
chown postgres "$conf" 2>/dev/null || true

# Then, unless DEMO_DASHBOARD=0, the dashboard serves the data on
# 127.0.0.1:3000 until Ctrl-C (dashboard/scripts/serve-demo.sh).
pg_virtualenv -v 15 -o "include=$conf" -o "max_worker_processes=16" \
    bash -c 'psql -X -v ON_ERROR_STOP=1 -v companies="$DEMO_COMPANIES" && { [ "${DEMO_DASHBOARD:-1}" = 0 ] || bash dashboard/scripts/serve-demo.sh; }' <<'SQL'
CREATE EXTENSION hubspot_sync;
\echo '== SELECT * FROM hubspot_sync_all();'
SELECT object_type, status, mode, pages, records, inserted, updated, archived, warnings, http_requests, duration, error
FROM hubspot_sync_all() ORDER BY object_type;
\echo '== a few contacts'
SELECT hubspot_id, email, phone, firstname, lastname, createdate, lifecyclestage
FROM hubspot_contacts_raw ORDER BY createdate DESC NULLS LAST LIMIT 5;
\echo '== deals by pipeline and stage (labels and won/lost from the pipelines HubSpot sent)'
SELECT pipeline_label AS pipeline, stage_label AS stage, dealstage AS stage_id, outcome, deals, total_amount
FROM hubspot_metrics_by_deal_stage ORDER BY pipeline, deals DESC;
\echo '== calls linked to contacts by phone number'
SELECT call_id, call_direction, call_duration / 1000 AS seconds, contact_id, contact_email
FROM hubspot_calls_with_contacts WHERE contact_id IS NOT NULL ORDER BY call_timestamp DESC NULLS LAST LIMIT 5;
\if :companies
\echo '== one more object type, by configuration: SELECT hubspot_add_object(''companies'');'
SELECT hubspot_add_object('companies');
SELECT object_type, status, mode, pages, records, inserted, archived, http_requests, duration
FROM hubspot_sync('companies');
SELECT name, domain, industry, numberofemployees, annualrevenue,
       jsonb_array_length(raw_json->'associations'->'contacts'->'results') AS contacts
FROM hubspot_companies_raw WHERE NOT archived ORDER BY annualrevenue DESC NULLS LAST LIMIT 5;
\endif
\echo '== sync status'
SELECT object_type, last_status, last_mode, last_finished_at, staleness, daily_requests_left FROM hubspot_sync_status;
SQL
