#!/usr/bin/env bash
# Run inside pg_virtualenv: the pg_regress suite, then a look through the
# server log for any test token (none may ever be logged).
set -uo pipefail
status=0
make installcheck || status=$?

# pg_virtualenv names its throwaway cluster "regress".
log=$(pg_lsclusters -h | awk '$1 == 15 && $2 == "regress" && $4 == "online" { print $7 }')
if [ -n "$log" ] && [ -r "$log" ]; then
    if grep -nE 'pat-na1-(test-token|secret-9f8e7d|wrong-token|mine)' "$log"; then
        echo "FAILED: a token appears in the server log above" >&2
        status=1
    else
        echo "server log ($(wc -l < "$log") lines): no token found"
    fi
else
    echo "FAILED: server log not found" >&2
    status=1
fi
exit $status
