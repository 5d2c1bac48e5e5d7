DROP TABLE weight_logs;
DROP FUNCTION weight_logs_sync_profile();
