#!/usr/bin/env bash
# Run inside pg_virtualenv (test/run.sh does): make the test databases, the
# reader role and its login, start the built app as that login, and run
# the browser tests.  PG* variables are pg_virtualenv's superuser.
set -euo pipefail
cd "$(dirname "$0")/../.."

db=hubspot_dashboard_test
for d in "$db" "${db}_noext" "${db}_empty"; do
    psql -Xq -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $d" -c "CREATE DATABASE $d"
done
psql -Xq -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION hubspot_sync" -f test/e2e/fixture.sql -f sql/reader_role.sql
psql -Xq -v ON_ERROR_STOP=1 -d "${db}_empty" -c "CREATE EXTENSION hubspot_sync" -f sql/reader_role.sql

# The app logs in as a member of hubspot_reader, as the README says to.
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
psql -Xq -v ON_ERROR_STOP=1 -d postgres \
    -c "DROP ROLE IF EXISTS hubspot_dashboard_e2e" \
    -c "CREATE ROLE hubspot_dashboard_e2e LOGIN PASSWORD '$password' IN ROLE hubspot_reader"
export DASHBOARD_DATABASE_URL="postgresql://hubspot_dashboard_e2e:$password@${PGHOST:-localhost}:${PGPORT:-5432}/$db"
export DASHBOARD_TEST_DB=$db

port=${DASHBOARD_TEST_PORT:-3210}
export DASHBOARD_URL="http://127.0.0.1:$port"
mkdir -p test-results
DATABASE_URL=$DASHBOARD_DATABASE_URL node node_modules/next/dist/bin/next start -H 127.0.0.1 -p "$port" \
    > test-results/app.log 2>&1 &
app=$!
trap 'kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "$DASHBOARD_URL/icon.svg" 2>/dev/null && break
    kill -0 "$app" 2>/dev/null || { cat test-results/app.log; echo "the app did not start" >&2; exit 1; }
    sleep 0.2
done

node node_modules/@playwright/test/cli.js test
