DROP TABLE needs;
DROP TABLE offers;
DROP FUNCTION es_areas_overlap(TEXT[], TEXT);
DROP FUNCTION es_offer_covers(TEXT, TEXT, TEXT[], TEXT, TEXT, TEXT[]);
DROP FUNCTION es_cpv_related(TEXT, TEXT);
