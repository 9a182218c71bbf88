DROP TABLE terms_confirmations;
