-- A refund order (PAYMENTS.md) sends back money a failed repay order took anyway; it names that
-- order, which an operator resolved with `refund`.
ALTER TABLE payment_orders ADD COLUMN refund_of TEXT;
