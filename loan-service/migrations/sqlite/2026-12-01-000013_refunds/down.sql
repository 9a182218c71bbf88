ALTER TABLE payment_orders DROP COLUMN refund_of;
