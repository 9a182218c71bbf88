DROP TABLE application_mobiles;
