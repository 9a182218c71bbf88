DROP TABLE payment_mismatches;
DROP TABLE payment_reservations;
DROP TABLE payment_order_periods;
DROP TABLE payment_orders;
