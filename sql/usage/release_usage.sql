-- release_usage: give back one unit of a kind that an active user reserved on their local today
-- (the call it paid for failed), never below zero, in one statement. Returns one row: released,
-- the units used today after it, the limit, and when the next local day starts. No row when the
-- user is gone or deactivated. Served by user_context (users_pkey, profiles_pkey) and
-- usage_counters_pkey (user_id, local_date, kind).
WITH me AS (
    SELECT c.user_id, c.today, c.tomorrow_starts_at,
           coalesce((:'limits'::jsonb -> c.subscription_tier ->> :'kind'::text)::integer, 0)
               AS daily_limit
    FROM user_context AS c
    WHERE c.user_id = :'user_id'
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
),
released AS (
    UPDATE usage_counters AS u
    SET used = u.used - 1,
        updated_at = now()
    FROM me
    WHERE u.user_id = me.user_id
      AND u.local_date = me.today
      AND u.kind = :'kind'::text
      AND u.used > 0
    RETURNING u.used
)
SELECT r.used IS NOT NULL AS changed, coalesce(r.used, 0) AS used, me.daily_limit,
       me.tomorrow_starts_at AS resets_at
FROM me
LEFT JOIN released AS r ON true;
