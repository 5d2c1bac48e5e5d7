-- get_usage: an active user's counters on their local today, one row per kind (in the order of
-- kinds), with their tier's limits (limits: tier -> kind -> units per day), their local today and
-- when the next local day starts. No row when the user is gone or deactivated. Served by
-- user_context (users_pkey, profiles_pkey) and usage_counters_pkey (user_id, local_date, kind).
SELECT k.kind, coalesce(u.used, 0) AS used,
       coalesce((:'limits'::jsonb -> c.subscription_tier ->> k.kind)::integer, 0) AS daily_limit,
       c.tomorrow_starts_at AS resets_at, c.today, c.subscription_tier
FROM user_context AS c
CROSS JOIN unnest(:'kinds'::text[]) WITH ORDINALITY AS k (kind, n)
LEFT JOIN usage_counters AS u ON u.user_id = c.user_id
                             AND u.local_date = c.today
                             AND u.kind = k.kind
WHERE c.user_id = :'user_id'
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY k.n;
