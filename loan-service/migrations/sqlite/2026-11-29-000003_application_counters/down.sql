DROP TABLE application_counters;
