DROP VIEW indicator_progress;
DROP TABLE indicator_measurements;
ALTER TABLE indicators DROP COLUMN derived_from;
DROP INDEX indicators_definition_id_idx;
DROP TRIGGER indicator_definitions_set_updated_at ON indicator_definitions;
ALTER TABLE indicator_definitions DROP COLUMN measurement, DROP COLUMN higher_is_better, DROP COLUMN split_by_sex,
    DROP COLUMN programme_id, DROP COLUMN description, DROP COLUMN created_at, DROP COLUMN updated_at;
