-- Typed counts of persons (an activity's planned and actual participants, the
-- staff a project reached in a supported institution) are published to anyone
-- but their owners through the one protection rule, `protected_count` (issue
-- 29). A typed figure has no persons whose record keys would key it, so each
-- row draws a key of its own, at random, once, when it is made; it is never
-- shown and never changes, so the same figure is always published the same way
-- and asking again averages nothing away (as `participants.record_key`).
ALTER TABLE activities ADD COLUMN figure_key smallint NOT NULL DEFAULT floor(random() * 256)::smallint;
ALTER TABLE supported_institutions ADD COLUMN figure_key smallint NOT NULL DEFAULT floor(random() * 256)::smallint;
