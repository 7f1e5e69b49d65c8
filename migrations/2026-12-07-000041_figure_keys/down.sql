ALTER TABLE supported_institutions DROP COLUMN figure_key;
ALTER TABLE activities DROP COLUMN figure_key;
