-- update_goal: change an active user's goal's target_value (NULL keeps it) and ends_on (replaced,
-- even by NULL, when ends_on_sent). With if_match, only a goal at one of those versions changes.
-- An open weight goal that its new target makes reached by the latest weigh-in (on a local date
-- within its dates) completes in this statement, at that weigh-in's time, as a weigh-in
-- reaching it would complete it (the SET reads the row as locked: a goal a concurrent weigh-in
-- completed keeps that completion). Returns the goal's id, or no row; get_goals then reads it.
-- Served by goals_pkey (user_id, id), users_pkey (id) and weight_logs_user_measured_idx.
WITH latest AS (
    SELECT w.weight_kg, w.measured_at, w.local_date
    FROM weight_logs AS w
    WHERE w.user_id = :'user_id'
    ORDER BY w.measured_at DESC, w.id DESC
    LIMIT 1
),
changed AS (
    SELECT g.user_id, g.id, n.target_value, n.ends_on,
           g.period = 'once' AND NOT g.is_completed
           AND l.local_date >= g.starts_on AND (n.ends_on IS NULL OR l.local_date <= n.ends_on)
           AND CASE WHEN n.target_value < g.start_value THEN l.weight_kg <= n.target_value
                    ELSE l.weight_kg >= n.target_value END AS reached,
           l.measured_at
    FROM goals AS g
    JOIN users AS u ON u.id = g.user_id AND u.is_active
        AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    CROSS JOIN LATERAL (
        SELECT coalesce(:'target_value'::numeric, g.target_value) AS target_value,
               CASE WHEN :'ends_on_sent'::boolean THEN :'ends_on'::date ELSE g.ends_on END
                   AS ends_on
    ) AS n
    LEFT JOIN latest AS l ON true
    WHERE g.user_id = :'user_id'
      AND g.id = :'goal_id'
)
UPDATE goals AS g
SET target_value = c.target_value,
    ends_on = c.ends_on,
    is_completed = g.is_completed OR coalesce(c.reached, false),
    completed_at = CASE WHEN NOT g.is_completed AND c.reached THEN c.measured_at
                        ELSE g.completed_at END
FROM changed AS c
WHERE g.user_id = c.user_id
  AND g.id = c.id
  AND (:'if_match'::bigint[] IS NULL OR g.version = ANY (:'if_match'::bigint[]))
RETURNING g.id;
