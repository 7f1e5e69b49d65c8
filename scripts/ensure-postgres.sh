#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers at 127.0.0.1:5432 with trust auth for
# user postgres, and that libpq (needed to build diesel) is installed: starts the
# local cluster when it is down, installs PostgreSQL first when it is missing;
# then gives it the Polish dictionary the search needs (polish-dictionary.sh).
set -euo pipefail

PGHOST_ADDR=127.0.0.1
PGPORT_NUM=5432

ready() { pg_isready -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -q 2>/dev/null; }

apt_install() {
    echo "ensure-postgres: installing $*" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "$@" >/dev/null
}

if ! [ -e /usr/lib/x86_64-linux-gnu/libpq.so ] && ! ldconfig -p 2>/dev/null | grep -q 'libpq.so '; then
    apt_install libpq-dev
fi

if ready; then
    bash "$(dirname "${BASH_SOURCE[0]}")/polish-dictionary.sh"
    exit 0
fi

installed_now=no
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    apt_install postgresql libpq-dev
    installed_now=yes
fi

version=$(ls /etc/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | grep -q "^$version main$"; then
    pg_createcluster "$version" main >/dev/null
    installed_now=yes
fi

if [ "$installed_now" = yes ]; then
    # A fresh cluster asks for passwords over TCP; the tests and the demo expect
    # the same trust auth as the development machines (loopback only).
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
    sed -i -E 's/^(local\s+all\s+postgres\s+)\S+/\1trust/' "$hba"
fi

echo "ensure-postgres: starting PostgreSQL $version" >&2
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true

for _ in $(seq 1 60); do
    if ready; then
        bash "$(dirname "${BASH_SOURCE[0]}")/polish-dictionary.sh"
        exit 0
    fi
    sleep 0.5
done
echo "ensure-postgres: PostgreSQL did not come up at $PGHOST_ADDR:$PGPORT_NUM" >&2
exit 1
