#!/usr/bin/env bash
# Mirrors the registry's public records into a local JSON file through the change
# feed, as a regional portal would. The first run copies everything; each later
# run fetches only what changed since the cursor the file keeps.
#
#   scripts/portal-sync.sh BASE_URL STORE.json
#
# STORE.json holds {"cursor": "...", "records": {"projects": {"<id>": {...}}, ...}}.
# A change brings the record as it is now; a record that no longer exists comes as
# null and is removed.
set -euo pipefail
base="${1:?usage: portal-sync.sh BASE_URL STORE.json}"
store="${2:?usage: portal-sync.sh BASE_URL STORE.json}"
command -v jq >/dev/null || { echo "portal-sync: needs jq" >&2; exit 1; }
[ -s "$store" ] || echo '{"cursor": null, "records": {}}' > "$store"
page="$(mktemp)"
trap 'rm -f "$page" "$store.tmp"' EXIT

# A short answer that is not caught up means later commits wait behind a
# transaction still open on the server: wait a moment and read again.
for _ in $(seq 1 600); do
    cursor="$(jq -r '.cursor // empty' "$store")"
    curl -fsS --retry 3 "$base/api/v1/changes?limit=1000${cursor:+&since=$cursor}" > "$page"
    jq --slurpfile page "$page" '
        reduce $page[0].changes[] as $c (.;
            if $c.record == null then del(.records[$c.resource][$c.id | tostring])
            else .records[$c.resource][$c.id | tostring] = $c.record end)
        | .cursor = $page[0].next_cursor' "$store" > "$store.tmp"
    mv "$store.tmp" "$store"
    if [ "$(jq -r .caught_up "$page")" = true ]; then
        echo "portal-sync: $(jq '[.records[] | length] | add // 0' "$store") records, cursor $(jq -r .cursor "$store")"
        exit 0
    fi
    [ "$(jq '.changes | length' "$page")" = 1000 ] || sleep 0.1
done
echo "portal-sync: the feed did not catch up within a minute; run again later" >&2
exit 1
