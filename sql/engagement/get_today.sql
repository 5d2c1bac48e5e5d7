-- get_today: an active user's home screen in one statement: their local today as get_day has it
-- (totals, calories per meal, water, calories burned and active minutes by the day's activities,
-- the day's targets, the calories remaining: target - eaten + burned), their zone, the streaks
-- (as get_streaks, for :'streak_kinds'), XP and level (as get_stats), the unread notifications, and
-- today's quota counters (as get_usage, for :'usage_kinds' with the tiers' :'limits'). No row
-- when the user is gone or deactivated. Served by user_context (users_pkey, profiles_pkey),
-- daily_nutrition_pkey (user_id, date), streaks_pkey, user_stats_pkey,
-- notifications_user_read_idx (index-only count) and usage_counters_pkey.
SELECT c.today AS date,
       coalesce(d.calories, 0)::float8 AS calories, coalesce(d.protein_g, 0)::float8 AS protein_g,
       coalesce(d.carbs_g, 0)::float8 AS carbs_g, coalesce(d.fat_g, 0)::float8 AS fat_g,
       coalesce(d.fiber_g, 0)::float8 AS fiber_g, coalesce(d.water_ml, 0) AS water_ml,
       coalesce(d.food_logs, 0) AS food_logs, coalesce(d.water_entries, 0) AS water_entries,
       coalesce(d.breakfast_calories, 0)::float8 AS breakfast_calories,
       coalesce(d.lunch_calories, 0)::float8 AS lunch_calories,
       coalesce(d.dinner_calories, 0)::float8 AS dinner_calories,
       coalesce(d.snack_calories, 0)::float8 AS snack_calories,
       coalesce(d.calories_burned, 0) AS calories_burned,
       coalesce(d.active_minutes, 0) AS active_minutes, coalesce(d.steps, 0) AS steps,
       coalesce(d.activities, 0) AS activities,
       (t.targets).calories AS target_calories, (t.targets).protein_g AS target_protein_g,
       (t.targets).carbs_g AS target_carbs_g, (t.targets).fat_g AS target_fat_g,
       (t.targets).water_ml AS target_water_ml,
       ((t.targets).calories - coalesce(d.calories, 0) + coalesce(d.calories_burned, 0))::float8
           AS remaining_calories,
       c.time_zone,
       (SELECT jsonb_agg(jsonb_build_object(
                   'kind', k.kind,
                   'current_count', CASE WHEN s.last_activity_date >= c.today - 1
                                         THEN s.current_count ELSE 0 END,
                   'longest_count', coalesce(s.longest_count, 0),
                   'last_activity_date', s.last_activity_date) ORDER BY k.n)
        FROM unnest(:'streak_kinds'::text[]) WITH ORDINALITY AS k (kind, n)
        LEFT JOIN streaks AS s ON s.user_id = c.user_id AND s.kind = k.kind) AS streaks,
       x.xp, xp_level(x.xp) AS level, xp_for_level(xp_level(x.xp) + 1) - x.xp AS xp_to_next_level,
       (SELECT count(*) FROM notifications AS n
        WHERE n.user_id = c.user_id AND NOT n.is_read) AS unread_notifications,
       (SELECT jsonb_agg(jsonb_build_object(
                   'kind', q.kind, 'used', q.used, 'limit', q.daily_limit,
                   'remaining', greatest(q.daily_limit - q.used, 0),
                   'resets_at', c.tomorrow_starts_at) ORDER BY q.n)
        FROM (SELECT k.kind, k.n, coalesce(u.used, 0) AS used,
                     coalesce((:'limits'::jsonb -> c.subscription_tier ->> k.kind)::integer, 0)
                         AS daily_limit
              FROM unnest(:'usage_kinds'::text[]) WITH ORDINALITY AS k (kind, n)
              LEFT JOIN usage_counters AS u ON u.user_id = c.user_id
                                           AND u.local_date = c.today
                                           AND u.kind = k.kind) AS q) AS usage
FROM user_context AS c
LEFT JOIN daily_nutrition AS d ON d.user_id = c.user_id AND d.date = c.today
LEFT JOIN user_stats AS st ON st.user_id = c.user_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN d.food_logs + d.water_entries > 0 THEN d.targets ELSE c.targets END
               AS targets
) AS t
CROSS JOIN LATERAL (SELECT coalesce(st.xp, 0) AS xp) AS x
WHERE c.user_id = :'user_id'
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
