ALTER TABLE organisation_statuses DROP COLUMN self_decided, DROP COLUMN self_decided_by;
ALTER TABLE reporting_periods DROP COLUMN self_decided, DROP COLUMN self_decided_by;
