DROP TABLE system_messages;
DROP TABLE customer_messages;
