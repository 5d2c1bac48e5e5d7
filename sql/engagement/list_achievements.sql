-- list_achievements: the whole catalogue for an active user, in catalogue order, each with when
-- the user unlocked it (NULL: locked) and, for one that counts something (a total, a streak's
-- longest run), its progress towards its threshold (capped at it). No row when the user is gone
-- or deactivated. Served by users_pkey, achievements_pkey, user_stats_pkey, streaks_pkey and
-- user_achievements_pkey (user_id, achievement_id).
SELECT a.code, a.title, a.description, a.xp, ua.unlocked_at,
       CASE WHEN a.metric <> 'event' THEN least(a.threshold, coalesce(CASE a.metric
           WHEN 'meals' THEN s.total_meals_logged
           WHEN 'activities' THEN s.total_activities_logged
           WHEN 'weigh_ins' THEN s.total_weigh_ins
           WHEN 'recipes' THEN s.total_recipes_generated
           ELSE k.longest_count
       END, 0)) END AS progress,
       CASE WHEN a.metric <> 'event' THEN a.threshold END AS target
FROM users AS u
CROSS JOIN achievements AS a
LEFT JOIN user_stats AS s ON s.user_id = u.id
LEFT JOIN streaks AS k ON k.user_id = u.id
                      AND k.kind = CASE a.metric
                                       WHEN 'food_logging_streak' THEN 'food_logging'
                                       WHEN 'activity_streak' THEN 'activity'
                                       WHEN 'water_goal_streak' THEN 'water_goal'
                                   END
LEFT JOIN user_achievements AS ua ON ua.user_id = u.id AND ua.achievement_id = a.id
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY a.id;
