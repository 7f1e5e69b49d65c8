#!/usr/bin/env bash
# Loads the demo data set (the five seed projects in demo/) into a running
# es-registry through its public API, with curl, the way a user loads data.
#
#   scripts/load-demo.sh [BASE_URL]      (default http://127.0.0.1:8080)
#
# Each file in demo/ is a list of steps {"ref", "post", "body"}: the body is
# POSTed to /api/v1/<post>, and any string "@name" in a body is replaced by the
# id that the step with ref "name" received, so files can refer to records made
# by earlier steps or files.
set -euo pipefail

BASE_URL="${1:-${BASE_URL:-http://127.0.0.1:8080}}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO_DIR="${DEMO_DIR:-$HERE/demo}"
AUTH_HEADER=()
if [ -n "${ES_TOKEN:-}" ]; then
    AUTH_HEADER=(-H "Authorization: Bearer $ES_TOKEN")
fi

command -v jq >/dev/null || { echo "load-demo: installing jq" >&2; apt-get install -y jq >/dev/null; }

refs='{}'
count=0
for file in "$DEMO_DIR"/*.json; do
    steps=$(jq -c '.[]' "$file")
    while IFS= read -r step; do
        [ -n "$step" ] || continue
        ref=$(jq -r '.ref // empty' <<<"$step")
        collection=$(jq -r '.post' <<<"$step")
        body=$(jq -c --argjson refs "$refs" '
            .body | walk(if type == "string" and startswith("@") then
                ($refs[.[1:]] // error("unknown reference " + .)) else . end)' <<<"$step")
        response=$(curl -sS -w '\n%{http_code}' -X POST "$BASE_URL/api/v1/$collection" \
            -H 'Content-Type: application/json' "${AUTH_HEADER[@]}" --data-binary "$body")
        status=${response##*$'\n'}
        payload=${response%$'\n'*}
        if [ "$status" != 201 ]; then
            echo "load-demo: $(basename "$file"): POST $collection${ref:+ ($ref)} answered $status" >&2
            echo "$payload" >&2
            exit 1
        fi
        if [ -n "$ref" ]; then
            refs=$(jq -c --arg ref "$ref" --argjson id "$(jq '.id' <<<"$payload")" '. + {($ref): $id}' <<<"$refs")
        fi
        count=$((count + 1))
    done <<<"$steps"
done
echo "load-demo: created $count records from $(ls "$DEMO_DIR"/*.json | wc -l) files at $BASE_URL"
