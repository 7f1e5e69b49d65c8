DROP INDEX beneficiaries_names_trgm_idx;
DROP FUNCTION es_organisation_names(TEXT, TEXT[], TEXT);
DROP FUNCTION es_unaccent(TEXT);
DROP EXTENSION IF EXISTS pg_trgm;
