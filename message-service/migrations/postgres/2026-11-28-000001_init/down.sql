DROP TABLE app_versions;
DROP TABLE feedback;
DROP TABLE sms_outbox;
