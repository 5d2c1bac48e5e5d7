-- replica_lag: whether this server is a standby, and how many seconds of what it has received it
-- has yet to replay (0 when it has replayed everything it received, or is not a standby).
-- Served by the recovery functions (no table).
SELECT pg_is_in_recovery() AS standby,
       CASE WHEN NOT pg_is_in_recovery()
                 OR pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
       END::float8 AS lag_seconds;
