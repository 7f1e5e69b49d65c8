-- The social-economy register, part one: what an organisation officially is on a
-- given day (statuses granted and revoked by decision), and the marks a region
-- grants, each checkable by its public code.

-- Where a dated grant stands on a day: the one rule for statuses and marks
-- alike. It holds from its first day through its last (open when absent), and
-- not from the day it is revoked.
CREATE FUNCTION es_standing(day DATE, first_day DATE, last_day DATE, revoked_on DATE) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN revoked_on IS NOT NULL AND revoked_on <= day THEN 'revoked'
        WHEN day < first_day THEN 'not_yet_valid'
        WHEN last_day IS NOT NULL AND last_day < day THEN 'expired'
        ELSE 'valid'
    END
$$;

-- A status of an organisation over time: a social enterprise (PS, granted and
-- revoked by the voivode's decision under the 2022 act on the social economy),
-- an OWES accreditation (AKSES) for a term and scope, a CIS, KIS, WTZ or ZAZ
-- status, or being a social cooperative. It holds from `valid_from` to `valid_to`
-- (the end of a term; absent while open), and not from the day it is revoked.
CREATE TABLE organisation_statuses (
    id                 BIGSERIAL PRIMARY KEY,
    organisation_id    BIGINT NOT NULL REFERENCES beneficiaries (id),
    status             TEXT NOT NULL CHECK (status IN ('ps', 'owes_accreditation', 'cis', 'kis', 'wtz', 'zaz', 'social_cooperative')),
    decision_number    TEXT,
    granting_authority TEXT,
    decided_on         DATE,
    valid_from         DATE NOT NULL,
    valid_to           DATE,
    accreditation_scope TEXT,
    revoked_on         DATE,
    revocation_reason  TEXT,
    notes              TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT organisation_statuses_valid_to_check CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CONSTRAINT organisation_statuses_revoked_on_check CHECK (revoked_on IS NULL OR revoked_on >= valid_from)
);
CREATE INDEX organisation_statuses_organisation_id_idx ON organisation_statuses (organisation_id);
CREATE INDEX organisation_statuses_status_idx ON organisation_statuses (status, valid_from);
-- One status of a kind starts on a given day once: the natural key of imports.
CREATE UNIQUE INDEX organisation_statuses_valid_from_key ON organisation_statuses (organisation_id, status, valid_from);
SELECT es_track_table('organisation_statuses', 'organisation-statuses', public => true);

-- A mark granted to an organisation (Zakup Prospołeczny, or any other a region
-- defines), for the products or services it covers. `code` is printed on the
-- label (kept in capitals, so that a buyer may type it in any case);
-- GET /api/v1/marks/{code}/verify tells a buyer whether it holds today.
CREATE TABLE marks (
    id                BIGSERIAL PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    holder_id         BIGINT NOT NULL REFERENCES beneficiaries (id),
    edition           TEXT,
    granted_on        DATE NOT NULL,
    valid_until       DATE,
    revoked_on        DATE,
    revocation_reason TEXT,
    covers            TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(covers, NULL) IS NULL),
    notes             TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT marks_valid_until_check CHECK (valid_until IS NULL OR valid_until >= granted_on),
    CONSTRAINT marks_revoked_on_check CHECK (revoked_on IS NULL OR revoked_on >= granted_on)
);
CREATE INDEX marks_holder_id_idx ON marks (holder_id);
SELECT es_track_table('marks', 'marks', public => true);
