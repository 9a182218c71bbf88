ALTER TABLE repayment_periods DROP COLUMN waived_penalty_days;
