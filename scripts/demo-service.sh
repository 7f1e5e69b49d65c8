# Sourced by scripts that test against a running service (scripts/fuzz,
# scripts/contract): builds the binary, starts it on $PORT over a throwaway
# database with fresh keys, loads the demo data, and stops both on exit.
# Defines BASE_URL, BIN, and `organisation NAME_FILTER` (the id of the first
# organisation a filter finds) and `account EMAIL ROLE [ORG_ID]` (creates an
# account with the command line and prints its password).
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/es_registry_${DEMO_DATABASE:-demo}_$$"
BASE_URL="http://127.0.0.1:$PORT"
bash scripts/ensure-postgres.sh
command -v jq >/dev/null || { apt-get update -qq && apt-get install -y -qq jq >/dev/null; }
cargo build --locked --quiet
BIN="$PWD/target/debug/es-registry"

key() { head -c 32 /dev/urandom | base64; }
export JWT_SECRET="$(key)" PERSONAL_DATA_KEYS="1:$(key)" PERSONAL_DATA_HMAC_KEY="$(key)"
LISTEN_ADDR="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve > "target/${DEMO_DATABASE:-demo}-service.log" 2>&1 &
demo_server=$!
stop_demo_service() {
    kill "$demo_server" 2>/dev/null || true
    wait "$demo_server" 2>/dev/null || true
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${DATABASE_URL##*/} WITH (FORCE)" >/dev/null 2>&1 || true
}
trap stop_demo_service EXIT
for _ in $(seq 1 100); do
    curl -fsS "$BASE_URL/health/ready" >/dev/null 2>&1 && break
    sleep 0.2
done

ES_REGISTRY_BIN="$BIN" bash scripts/load-demo.sh "$BASE_URL" >/dev/null
organisation() { curl -fsS -G "$BASE_URL/api/v1/beneficiaries" --data-urlencode "$1" | jq -r '.items[0].id'; }
account() {
    local email=$1 role=$2 org=${3:-} password="demo password $$"
    local args=(--email "$email" --role "$role")
    [ -n "$org" ] && args+=(--organisation-id "$org")
    printf '%s\n' "$password" | "$BIN" users create "${args[@]}" >/dev/null
    printf '%s' "$password"
}
