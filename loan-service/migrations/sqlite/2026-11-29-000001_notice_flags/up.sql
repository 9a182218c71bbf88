-- Which notices a period has had, so the job can catch up on days it missed without rescanning
-- every period it has already told the customer about.
ALTER TABLE repayment_periods ADD COLUMN reminder_sent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE repayment_periods ADD COLUMN overdue_sent BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX repayment_periods_open ON repayment_periods (status, due_date);
