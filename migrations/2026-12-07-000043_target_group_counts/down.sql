DROP FUNCTION es_published_groups(JSONB, BIGINT);
ALTER TABLE projects DROP COLUMN figure_key;
