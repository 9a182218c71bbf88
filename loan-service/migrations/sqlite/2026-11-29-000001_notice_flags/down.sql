DROP INDEX repayment_periods_open;
ALTER TABLE repayment_periods DROP COLUMN overdue_sent;
ALTER TABLE repayment_periods DROP COLUMN reminder_sent;
