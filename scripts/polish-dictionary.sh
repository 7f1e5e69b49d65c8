#!/usr/bin/env bash
# Installs the Polish Hunspell dictionary (Debian's hunspell-pl, pinned) into the
# running PostgreSQL server's text-search data, as `pl_pl.dict` and
# `pl_pl.affix` in UTF-8, for the `es_polish_hunspell` dictionary (migration
# 000014). Run by scripts/ensure-postgres.sh and by the database image of
# docker-compose.yml (scripts/postgres.Dockerfile); safe to run again.
set -euo pipefail

HUNSPELL_PL_VERSION="1:7.5.0-1"

# The server's own share directory (PG_SHAREDIR where no server runs yet: an image build).
sharedir=${PG_SHAREDIR:-$(psql -h 127.0.0.1 -U postgres -Atqc "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'")}
target="$sharedir/tsearch_data"
if [ -s "$target/pl_pl.dict" ] && [ -s "$target/pl_pl.affix" ]; then
    exit 0
fi
if [ ! -s /usr/share/hunspell/pl_PL.dic ]; then
    echo "polish-dictionary: installing hunspell-pl $HUNSPELL_PL_VERSION" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "hunspell-pl=$HUNSPELL_PL_VERSION" >/dev/null
fi
# The Debian files are ISO 8859-2; PostgreSQL reads dictionary files as UTF-8.
iconv -f ISO-8859-2 -t UTF-8 /usr/share/hunspell/pl_PL.aff | sed '1s/^SET ISO8859-2/SET UTF-8/' > "$target/pl_pl.affix.new"
iconv -f ISO-8859-2 -t UTF-8 /usr/share/hunspell/pl_PL.dic > "$target/pl_pl.dict.new"
mv "$target/pl_pl.affix.new" "$target/pl_pl.affix"
mv "$target/pl_pl.dict.new" "$target/pl_pl.dict"
echo "polish-dictionary: installed into $target" >&2
