DROP FUNCTION es_today();
