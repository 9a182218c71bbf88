DROP TABLE decision_tasks;
