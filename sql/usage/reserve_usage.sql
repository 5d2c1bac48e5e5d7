-- reserve_usage: reserve one unit of a kind for an active user on their local today, if their
-- tier's limit (limits: tier -> kind -> units per day) leaves one, in one statement: the check and
-- the increment are the INSERT ... ON CONFLICT ... DO UPDATE ... WHERE used < limit, on the row
-- it locks, so concurrent reservations never pass the limit together. Returns one row: reserved,
-- the units used today (on a refusal, at least the limit: a row another transaction inserted since
-- this statement began is not in its snapshot, but the refusal proves it full), the limit, and
-- when the user's next local day starts. No row when the user is gone or deactivated. Served by
-- user_context (users_pkey, profiles_pkey) and usage_counters_pkey (user_id, local_date, kind).
WITH me AS (
    SELECT c.user_id, c.today, c.tomorrow_starts_at,
           coalesce((:'limits'::jsonb -> c.subscription_tier ->> :'kind'::text)::integer, 0)
               AS daily_limit
    FROM user_context AS c
    WHERE c.user_id = :'user_id'
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
),
reserved AS (
    INSERT INTO usage_counters AS u (user_id, local_date, kind, used)
    SELECT me.user_id, me.today, :'kind'::text, 1
    FROM me
    WHERE me.daily_limit >= 1
    ON CONFLICT (user_id, local_date, kind) DO UPDATE
    SET used = u.used + 1,
        updated_at = now()
    WHERE u.used < (SELECT me.daily_limit FROM me)
    RETURNING u.used
)
SELECT r.used IS NOT NULL AS changed,
       coalesce(r.used, greatest(me.daily_limit, (
           SELECT u.used
           FROM usage_counters AS u
           WHERE u.user_id = me.user_id AND u.local_date = me.today AND u.kind = :'kind'::text
       ))) AS used,
       me.daily_limit, me.tomorrow_starts_at AS resets_at
FROM me
LEFT JOIN reserved AS r ON true;
