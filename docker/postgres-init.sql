-- One database per service: services never read each other's data.
CREATE DATABASE cashloan_auth;
CREATE DATABASE cashloan_message;
CREATE DATABASE cashloan_product;
CREATE DATABASE cashloan_loan;
CREATE DATABASE cashloan_risk;
