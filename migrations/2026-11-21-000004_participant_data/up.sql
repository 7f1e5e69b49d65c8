-- The ESF participant data set, with names, PESEL and contact data sealed by the
-- application (AES-256-GCM, key id inside each value) and PESEL also kept as a
-- keyed hash for look-ups and deduplication. Plaintext columns go away.
ALTER TABLE participants DROP CONSTRAINT participants_pesel_per_project;
ALTER TABLE participants DROP COLUMN first_name, DROP COLUMN last_name, DROP COLUMN pesel;
ALTER TABLE participants
    ADD COLUMN first_name_sealed    BYTEA,
    ADD COLUMN last_name_sealed     BYTEA,
    ADD COLUMN pesel_sealed         BYTEA,
    ADD COLUMN pesel_hash           BYTEA,
    ADD COLUMN email_sealed         BYTEA,
    ADD COLUMN phone_sealed         BYTEA,
    ADD COLUMN age_at_entry         SMALLINT CHECK (age_at_entry BETWEEN 0 AND 130),
    ADD COLUMN education            TEXT CHECK (education IN ('isced_0_2', 'isced_3_4', 'isced_5_8', 'not_stated')),
    ADD COLUMN labour_status        TEXT CHECK (labour_status IN ('employed', 'unemployed_registered', 'unemployed_unregistered',
                                        'long_term_unemployed', 'inactive', 'in_education', 'not_stated')),
    ADD COLUMN organisation_id      BIGINT REFERENCES beneficiaries (id),
    ADD COLUMN organisation_kind    TEXT CHECK (organisation_kind IN ('pes', 'jst', 'owes', 'public_institution', 'ngo', 'business', 'other', 'none')),
    ADD COLUMN residence_teryt      VARCHAR(7),
    ADD COLUMN residence_area       TEXT CHECK (residence_area IN ('urban', 'rural')),
    ADD COLUMN disability           TEXT CHECK (disability IN ('yes', 'no', 'refused')),
    ADD COLUMN minority_or_migrant  TEXT CHECK (minority_or_migrant IN ('yes', 'no', 'refused')),
    ADD COLUMN homeless             TEXT CHECK (homeless IN ('yes', 'no', 'refused')),
    ADD COLUMN other_disadvantage   TEXT CHECK (other_disadvantage IN ('yes', 'no', 'refused')),
    ADD COLUMN consent_date         DATE,
    ADD COLUMN legal_basis          TEXT CHECK (legal_basis IN ('consent', 'contract', 'legal_obligation', 'public_task')),
    ADD COLUMN anonymised_at        TIMESTAMPTZ;
-- One person once per project; across projects the hash deduplicates.
CREATE UNIQUE INDEX participants_pesel_key ON participants (project_id, pesel_hash) WHERE pesel_hash IS NOT NULL;
CREATE INDEX participants_pesel_hash_idx ON participants (pesel_hash) WHERE pesel_hash IS NOT NULL;
CREATE INDEX participants_organisation_id_idx ON participants (organisation_id);

-- After this date a project's participants are anonymised by `es-registry retention run`.
ALTER TABLE projects ADD COLUMN retention_until DATE;

ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_check CHECK (action IN ('create', 'update', 'delete', 'read', 'export', 'erase'));
