DROP TRIGGER weight_logs_complete_goals ON weight_logs;
DROP FUNCTION weight_logs_complete_goals();
DROP TABLE goals;
