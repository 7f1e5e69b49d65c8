DROP FUNCTION es_counts_people(TEXT, BOOLEAN);
ALTER TABLE projects DROP COLUMN intervention_field;
