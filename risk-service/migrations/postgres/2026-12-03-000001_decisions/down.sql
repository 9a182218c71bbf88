DROP TABLE evidence_stamps;
DROP TABLE evidence_head;
DROP TABLE evidence;
DROP TABLE velocity;
DROP TABLE decisions;
DROP TABLE rulesets;
