DROP TABLE evidence_stamps;
