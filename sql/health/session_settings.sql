-- session_settings: the timeouts in force on this connection, each as setting and unit (5000ms).
-- Served by pg_settings, the session's own settings (no table).
SELECT name, setting || coalesce(unit, '') AS value
FROM pg_settings
WHERE name IN ('statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout');
