-- Evidence (issue 20): files attached to a reported value or an activity
-- (attendance lists, certificates, photos) for the ROPS to check before it
-- approves. Kept in PostgreSQL, so a file is written and removed in the same
-- transaction as its audit event, and backed up with the rest. Never in the
-- change feed; served to anonymous readers only when marked public.

CREATE TABLE evidence (
    id             BIGSERIAL PRIMARY KEY,
    measurement_id BIGINT REFERENCES indicator_measurements (id) ON DELETE CASCADE,
    activity_id    BIGINT REFERENCES activities (id) ON DELETE CASCADE,
    file_name      TEXT NOT NULL CHECK (btrim(file_name) <> '' AND length(file_name) <= 255),
    content_type   TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL CHECK (size_bytes > 0),
    sha256         TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    description    TEXT,
    public         BOOLEAN NOT NULL DEFAULT false,
    -- Whether the configured scanner passed it (false when none is configured).
    scanned        BOOLEAN NOT NULL,
    added_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    added_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    content        BYTEA NOT NULL,
    CONSTRAINT evidence_target_check CHECK ((measurement_id IS NULL) <> (activity_id IS NULL))
);
CREATE INDEX evidence_measurement_idx ON evidence (measurement_id) WHERE measurement_id IS NOT NULL;
CREATE INDEX evidence_activity_idx ON evidence (activity_id) WHERE activity_id IS NOT NULL;
