ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_check CHECK (action IN ('create', 'update', 'delete', 'read'));
ALTER TABLE projects DROP COLUMN retention_until;
DROP INDEX participants_organisation_id_idx;
DROP INDEX participants_pesel_hash_idx;
DROP INDEX participants_pesel_key;
ALTER TABLE participants
    DROP COLUMN first_name_sealed, DROP COLUMN last_name_sealed, DROP COLUMN pesel_sealed, DROP COLUMN pesel_hash,
    DROP COLUMN email_sealed, DROP COLUMN phone_sealed, DROP COLUMN age_at_entry, DROP COLUMN education,
    DROP COLUMN labour_status, DROP COLUMN organisation_id, DROP COLUMN organisation_kind, DROP COLUMN residence_teryt,
    DROP COLUMN residence_area, DROP COLUMN disability, DROP COLUMN minority_or_migrant, DROP COLUMN homeless,
    DROP COLUMN other_disadvantage, DROP COLUMN consent_date, DROP COLUMN legal_basis, DROP COLUMN anonymised_at;
ALTER TABLE participants ADD COLUMN first_name TEXT NOT NULL DEFAULT '', ADD COLUMN last_name TEXT NOT NULL DEFAULT '', ADD COLUMN pesel CHAR(11);
ALTER TABLE participants ADD CONSTRAINT participants_pesel_per_project UNIQUE (project_id, pesel);
