DROP TABLE outbox;
DROP TABLE repayments;
DROP TABLE repayment_periods;
DROP TABLE application_history;
DROP TABLE applications;
DROP TABLE credit_lines;
