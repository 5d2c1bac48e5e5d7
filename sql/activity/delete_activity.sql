-- delete_activity: remove one activity of an active user (with if_match, only at one of those
-- versions), and take what it was off its day, in one statement (DELETE ... RETURNING gives the
-- row as locked). Returns the deleted activity's id, or no row. Served by activity_logs_pkey
-- (user_id, id), users_pkey (id) and daily_nutrition_pkey.
WITH written AS (
    DELETE FROM activity_logs AS a
    USING users AS u
    WHERE a.user_id = :'user_id'
      AND a.id = :'activity_id'
      AND (:'if_match'::bigint[] IS NULL OR a.version = ANY (:'if_match'::bigint[]))
      AND u.id = a.user_id
      AND u.is_active
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    RETURNING a.user_id, a.id, a.local_date, a.duration_min, a.calories_burned, a.steps
),
taken AS (
    UPDATE daily_nutrition AS d
    SET calories_burned = d.calories_burned - w.calories_burned,
        active_minutes = d.active_minutes - w.duration_min,
        steps = d.steps - coalesce(w.steps, 0),
        activities = d.activities - 1,
        updated_at = now()
    FROM written AS w
    WHERE d.user_id = w.user_id
      AND d.date = w.local_date
)
SELECT w.id FROM written AS w;
