# Sourced by the scripts: start a mock HubSpot in the background and wait
# until it answers.  Usage: start_mock PORT [mock options...]; every mock
# started is stopped when the script exits.
MOCK_PIDS=()
trap 'for p in "${MOCK_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
start_mock() {
    local port=$1; shift
    python3 "$(dirname "${BASH_SOURCE[0]}")/../test/mock_hubspot.py" --port "$port" --quiet "$@" &
    MOCK_PIDS+=($!)
    for _ in $(seq 1 100); do
        if curl -fsS "http://127.0.0.1:$port/_mock/stats" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "mock HubSpot did not start on port $port" >&2
    return 1
}
