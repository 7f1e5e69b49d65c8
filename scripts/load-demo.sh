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
#
# Writes need a signed-in admin. Give one with ES_TOKEN (an access token) or
# ES_EMAIL and ES_PASSWORD; otherwise the script creates (or resets) the account
# demo-loader@es-registry.local with the service's command line, against the
# DATABASE_URL in its environment, and signs in as it.
set -euo pipefail

BASE_URL="${1:-${BASE_URL:-http://127.0.0.1:8080}}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO_DIR="${DEMO_DIR:-$HERE/demo}"

command -v jq >/dev/null || { echo "load-demo: installing jq" >&2; apt-get install -y jq >/dev/null; }

es_registry() {
    if [ -n "${ES_REGISTRY_BIN:-}" ]; then "$ES_REGISTRY_BIN" "$@"
    elif [ -x "$HERE/target/release/es-registry" ]; then "$HERE/target/release/es-registry" "$@"
    elif [ -x "$HERE/target/debug/es-registry" ]; then "$HERE/target/debug/es-registry" "$@"
    else (cd "$HERE" && cargo run --quiet -- "$@")
    fi
}

if [ -z "${ES_TOKEN:-}" ]; then
    email="${ES_EMAIL:-demo-loader@es-registry.local}"
    password="${ES_PASSWORD:-}"
    if [ -z "$password" ]; then
        password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
        if ! printf '%s\n' "$password" | es_registry users create --email "$email" --role admin >/dev/null 2>&1; then
            printf '%s\n' "$password" | es_registry users reset-password --email "$email" >/dev/null
        fi
    fi
    ES_TOKEN=$(curl -sS -X POST "$BASE_URL/api/v1/auth/token" -H 'Content-Type: application/json' \
        --data-binary "$(jq -n --arg e "$email" --arg p "$password" '{email: $e, password: $p}')" | jq -r '.access_token // empty')
    [ -n "$ES_TOKEN" ] || { echo "load-demo: could not sign in as $email" >&2; exit 1; }
fi
AUTH_HEADER=(-H "Authorization: Bearer $ES_TOKEN")

refs='{}'
count=0
# Bodies with "@name" references resolved to the ids made so far.
resolve() {
    jq -c --argjson refs "$refs" '.body | walk(if type == "string" and startswith("@") then
        ($refs[.[1:]] // error("unknown reference " + .)) else . end)' <<<"$1"
}
# send WHAT EXPECTED_STATUS PATH CONTENT_TYPE BODY: POSTs BODY and leaves the answer
# in $payload, or stops the load naming WHAT.
send() {
    local response status
    response=$(curl -sS -w '\n%{http_code}' -X POST "$BASE_URL/api/v1/$3" -H "Content-Type: $4" "${AUTH_HEADER[@]}" --data-binary "$5")
    status=${response##*$'\n'}
    payload=${response%$'\n'*}
    if [ "$status" != "$2" ]; then
        echo "load-demo: $1 answered $status" >&2
        echo "$payload" >&2
        exit 1
    fi
}
for file in "$DEMO_DIR"/*.json; do
    # Records others refer to are posted one by one (their ids are needed);
    # activities and partners, which nothing refers to, go in one bulk import each.
    steps=$(jq -c '.[] | select(.ref != null or (.post != "activities" and .post != "partners"))' "$file")
    while IFS= read -r step; do
        [ -n "$step" ] || continue
        ref=$(jq -r '.ref // empty' <<<"$step")
        collection=$(jq -r '.post' <<<"$step")
        send "$(basename "$file"): POST $collection${ref:+ ($ref)}" 201 "$collection" application/json "$(resolve "$step")"
        if [ -n "$ref" ]; then
            refs=$(jq -c --arg ref "$ref" --argjson id "$(jq '.id' <<<"$payload")" '. + {($ref): $id}' <<<"$refs")
        fi
        count=$((count + 1))
    done <<<"$steps"
    for collection in partners activities; do
        rows=$(jq -c --arg c "$collection" '.[] | select(.ref == null and .post == $c)' "$file" | while IFS= read -r step; do resolve "$step"; done)
        [ -n "$rows" ] || continue
        send "$(basename "$file"): import of $collection" 200 "imports/$collection" application/x-ndjson "$rows"
        count=$((count + $(jq '.inserted + .updated + .unchanged' <<<"$payload")))
    done
done
echo "load-demo: loaded $count records from $(ls "$DEMO_DIR"/*.json | wc -l) files at $BASE_URL"
