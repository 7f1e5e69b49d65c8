# PostgreSQL with the Polish dictionary the search needs (migration 000014).
FROM postgres:15-bookworm
COPY scripts/polish-dictionary.sh /usr/local/bin/polish-dictionary.sh
RUN PG_SHAREDIR=/usr/share/postgresql/15 bash /usr/local/bin/polish-dictionary.sh && rm -rf /var/lib/apt/lists/*
