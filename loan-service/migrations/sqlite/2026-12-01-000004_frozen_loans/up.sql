-- A loan whose payout the bank sent back (退票, PAYMENTS.md): its plan is frozen (no repayment, no
-- notices, not owed in the books) until an operator resolves it.
ALTER TABLE applications ADD COLUMN frozen BOOLEAN NOT NULL DEFAULT FALSE;
