-- create_goal: a new goal of an active user, starting on starts_on (default the local today). A
-- weight goal starts from the latest weigh-in (by measured_at), else the profile's weight (none:
-- goals_weight_start refuses it). Returns its id, or no row when the user is gone or
-- deactivated; get_goals then reads it with its progress. Served by user_context (users_pkey,
-- profiles_pkey) and weight_logs_user_measured_idx (user_id, measured_at DESC, id DESC).
INSERT INTO goals (user_id, goal_type, target_value, period, starts_on, ends_on, start_value)
SELECT me.user_id, :'goal_type'::text, :'target_value'::numeric, :'period'::text,
       coalesce(:'starts_on'::date, me.today), :'ends_on'::date,
       CASE WHEN :'goal_type'::text = 'weight_kg' THEN coalesce(
           (SELECT w.weight_kg FROM weight_logs AS w
            WHERE w.user_id = me.user_id
            ORDER BY w.measured_at DESC, w.id DESC
            LIMIT 1),
           (SELECT p.weight_kg FROM profiles AS p WHERE p.user_id = me.user_id)) END
FROM user_context AS me
WHERE me.user_id = :'user_id'
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
RETURNING id;
