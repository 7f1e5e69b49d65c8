-- Users, refresh tokens, sign-in throttling and the audit trail.

CREATE TABLE users (
    id               BIGSERIAL PRIMARY KEY,
    email            TEXT NOT NULL CHECK (email = lower(email) AND position('@' IN email) > 1),
    password_hash    TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('admin', 'rops', 'owes', 'jst')),
    organisation_id  BIGINT REFERENCES beneficiaries (id),
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    -- Every role but admin acts for an organisation.
    CONSTRAINT users_organisation_required CHECK (role = 'admin' OR organisation_id IS NOT NULL)
);
CREATE INDEX users_organisation_id_idx ON users (organisation_id);
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Opaque refresh tokens, stored as SHA-256 hashes. A token is used once; its
-- successor keeps the family, so the reuse of a spent token revokes the family.
CREATE TABLE refresh_tokens (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family      BIGINT NOT NULL,
    token_hash  BYTEA NOT NULL UNIQUE,
    issued_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);

-- Failed sign-ins per account and per client address, shared by every instance.
CREATE TABLE sign_in_failures (
    key                TEXT PRIMARY KEY,
    failures           INTEGER NOT NULL,
    window_started_at  TIMESTAMPTZ NOT NULL,
    blocked_until      TIMESTAMPTZ
);

CREATE TABLE audit_events (
    id           BIGSERIAL PRIMARY KEY,
    occurred_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    user_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    user_email   TEXT,
    action       TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'read')),
    resource     TEXT NOT NULL,
    record_id    BIGINT,
    voivodeship  CHAR(2),
    before       JSONB,
    after        JSONB
);
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at);
CREATE INDEX audit_events_resource_idx ON audit_events (resource, record_id);
CREATE INDEX audit_events_user_id_idx ON audit_events (user_id);
CREATE INDEX audit_events_voivodeship_idx ON audit_events (voivodeship, occurred_at);
