DROP VIEW project_spending;
DROP VIEW spending_facts;
DROP FUNCTION es_spending_behind(NUMERIC, NUMERIC);
DROP FUNCTION es_spending_behind_threshold();
DROP FUNCTION es_period_share(DATE, DATE, DATE, DATE);
DROP TABLE payment_claims;
DROP TABLE budgets;
