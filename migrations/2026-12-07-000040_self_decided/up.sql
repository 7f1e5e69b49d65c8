-- A ROPS's own entries (a period's lock, an organisation's status) made by one
-- of its accounts alone are in force but self-decided until another account of
-- the ROPS (or an admin) confirms them (issue 30; the rule is the workflow's,
-- `domain::workflow`, applied by `service::workflow`). Entries made before are
-- taken as decided. `self_decided_by` is the account that decided alone, which
-- does not confirm itself; it is never published.
ALTER TABLE reporting_periods ADD COLUMN self_decided boolean NOT NULL DEFAULT false, ADD COLUMN self_decided_by bigint;
ALTER TABLE organisation_statuses ADD COLUMN self_decided boolean NOT NULL DEFAULT false, ADD COLUMN self_decided_by bigint;
