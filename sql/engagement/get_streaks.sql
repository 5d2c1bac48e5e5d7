-- get_streaks: an active user's streaks, one row per kind in :'streak_kinds' order (zeros for a
-- kind without a day yet), with current_count as of the user's local today: the latest run
-- counts while its last day is today or yesterday (or a day ahead), else 0. No row when the user
-- is gone or deactivated. Served by user_context (users_pkey, profiles_pkey) and streaks_pkey.
SELECT k.kind,
       CASE WHEN s.last_activity_date >= c.today - 1 THEN s.current_count ELSE 0 END
           AS current_count,
       coalesce(s.longest_count, 0) AS longest_count, s.last_activity_date, c.today
FROM user_context AS c
CROSS JOIN unnest(:'streak_kinds'::text[]) WITH ORDINALITY AS k (kind, n)
LEFT JOIN streaks AS s ON s.user_id = c.user_id AND s.kind = k.kind
WHERE c.user_id = :'user_id'
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY k.n;
