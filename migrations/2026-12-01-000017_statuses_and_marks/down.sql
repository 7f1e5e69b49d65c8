DROP TABLE marks;
DROP TABLE organisation_statuses;
DROP FUNCTION es_standing(DATE, DATE, DATE, DATE);
