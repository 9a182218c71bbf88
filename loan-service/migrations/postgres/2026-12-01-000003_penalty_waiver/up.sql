-- Overdue days a period spent held by a payment order that then failed without the channel ever
-- having it (PAYMENTS.md): not charged as penalty.
ALTER TABLE repayment_periods ADD COLUMN waived_penalty_days INTEGER NOT NULL DEFAULT 0;
