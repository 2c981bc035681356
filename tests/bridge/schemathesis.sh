#!/usr/bin/env bash
# Schemathesis against a live bridge in front of a simulator: every
# response valid against openapi.json, no 5xx.
#   tests/bridge/schemathesis.sh CONCERT_BIN SCHEMATHESIS_BIN
set -euo pipefail
bin=$(realpath "$1")
st=$(realpath "$2")
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# First stdout line of a background command (bounded wait).
first_line() {
    local file=$1
    for _ in $(seq 200); do
        [ -s "$file" ] && { head -1 "$file"; return; }
        sleep 0.05
    done
    echo "no first line in $file" >&2
    exit 1
}

"$bin" simulate --tcp 127.0.0.1:0 >"$work/sim.out" 2>"$work/sim.err" &
pids+=($!)
sim=$(first_line "$work/sim.out")
"$bin" serve --listen 127.0.0.1:0 --terminal "lane1=tcp://$sim" \
    >"$work/serve.out" 2>"$work/serve.err" &
pids+=($!)
url=$(first_line "$work/serve.out")
url=${url%/}

status=0
# Its cache goes to the working directory: keep that out of the tree.
cd "$work"
"$st" run "$url/openapi.json" --url "$url" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" --request-timeout 30 \
    --seed 1 --no-color || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- bridge log ---"; tail -50 "$work/serve.err"
fi
exit "$status"
