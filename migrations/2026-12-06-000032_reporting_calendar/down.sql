DROP VIEW project_reporting;
DROP FUNCTION es_reporting_period_of(BIGINT, DATE);
DROP TABLE reporting_periods;
