-- get_stats: an active user's XP (the sum of their ledger, kept in user_stats), its level (level
-- L from 100 * L * (L - 1) / 2 XP), the XP still needed for the next, and their totals (zeros
-- before their first rewarded entry). No row when the user is gone or deactivated. Served by
-- users_pkey (id) and user_stats_pkey (user_id).
SELECT x.xp, xp_level(x.xp) AS level, xp_for_level(xp_level(x.xp) + 1) - x.xp AS xp_to_next_level,
       coalesce(s.total_meals_logged, 0) AS total_meals_logged,
       coalesce(s.total_activities_logged, 0) AS total_activities_logged,
       coalesce(s.total_recipes_generated, 0) AS total_recipes_generated,
       coalesce(s.total_weigh_ins, 0) AS total_weigh_ins
FROM users AS u
LEFT JOIN user_stats AS s ON s.user_id = u.id
CROSS JOIN LATERAL (SELECT coalesce(s.xp, 0) AS xp) AS x
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
