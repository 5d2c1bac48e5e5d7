-- get_goals: a page of an active user's goals, newest first, strictly after the keyset position
-- after_id (the first page passes the largest bigint), only goal_id when it is not NULL, only the
-- active ones (not completed, not ended) or only the others when active is not NULL; each with
-- its progress computed here, from the entries, in one statement:
--   periodic goals look at the local today, or their last day once ended (on_day). Periods are
--   whole local days, weeks (from Monday) or months, the first the one holding starts_on. A
--   period's value is the sum of its days' protein, water, active minutes, steps or food logs,
--   or for calories_max its highest day's calories (days with food logs only). A period is met
--   at or above the target (for calories_max: with a logged day, none above it), the current one
--   too once it is. current_value is the current period's, progress current_value / target
--   (at most 1: for calories_max the share of the allowance its worst day used), periods_total
--   the periods from the first to the current one, periods_met those met.
--   weight goals: current_value is the latest weigh-in (by measured_at), else the profile's
--   weight; progress is how far it has come from start_value toward the target (0-1), 1 once
--   completed.
-- No row when the user is gone or deactivated, one row of NULLs when the page is empty. Served
-- by user_context (users_pkey, profiles_pkey), goals_pkey (user_id, id) (a user has a few goals:
-- the planner may read them all and sort them), one range scan of daily_nutrition_pkey (user_id,
-- date) for every goal of the page, and one probe of weight_logs_user_measured_idx.
WITH me AS (
    SELECT c.user_id, c.today FROM user_context AS c WHERE c.user_id = :'user_id'
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
),
page AS (
    SELECT g.id, g.goal_type, g.target_value, g.period, g.starts_on, g.ends_on, g.start_value,
           g.direction, g.is_completed, g.completed_at, g.created_at, g.updated_at, g.version,
           least(me.today, coalesce(g.ends_on, me.today)) AS on_day,
           CASE g.period WHEN 'daily' THEN 'day' WHEN 'weekly' THEN 'week'
                         WHEN 'monthly' THEN 'month' END AS unit
    FROM me
    JOIN goals AS g ON g.user_id = me.user_id
    WHERE g.id < :'after_id'::bigint
      AND (:'goal_id'::bigint IS NULL OR g.id = :'goal_id'::bigint)
      AND (:'active'::boolean IS NULL OR :'active'::boolean = (
          NOT g.is_completed AND (g.ends_on IS NULL OR g.ends_on >= me.today)))
    ORDER BY g.id DESC
    LIMIT :'limit'
),
spans AS (
    SELECT p.id, p.goal_type, p.target_value, p.unit, p.on_day,
           date_trunc(p.unit, p.starts_on::timestamp)::date AS first_period,
           date_trunc(p.unit, p.on_day::timestamp)::date AS current_period
    FROM page AS p
    WHERE p.unit IS NOT NULL
      AND p.starts_on <= p.on_day
),
days AS MATERIALIZED (
    SELECT d.date, d.calories, d.protein_g, d.water_ml, d.active_minutes, d.steps, d.food_logs
    FROM me
    JOIN daily_nutrition AS d ON d.user_id = me.user_id
    WHERE d.date >= (SELECT min(s.first_period) FROM spans AS s)
      AND d.date <= me.today
),
periods AS (
    SELECT s.id, s.goal_type, s.target_value, s.current_period,
           date_trunc(s.unit, d.date::timestamp)::date AS period_start,
           CASE s.goal_type
               WHEN 'calories_max' THEN max(d.calories) FILTER (WHERE d.food_logs > 0)
               WHEN 'protein_min_g' THEN sum(d.protein_g)
               WHEN 'water_min_ml' THEN sum(d.water_ml)
               WHEN 'active_minutes' THEN sum(d.active_minutes)
               WHEN 'steps' THEN sum(d.steps)
               ELSE sum(d.food_logs) END AS value
    FROM spans AS s
    JOIN days AS d ON d.date >= s.first_period AND d.date <= s.on_day
    GROUP BY s.id, s.goal_type, s.target_value, s.current_period, s.unit, period_start
),
scored AS (
    SELECT x.id,
           count(*) FILTER (WHERE CASE WHEN x.goal_type = 'calories_max'
                                       THEN x.value <= x.target_value
                                       ELSE x.value >= x.target_value END) AS periods_met,
           max(x.value) FILTER (WHERE x.period_start = x.current_period) AS current_value
    FROM periods AS x
    GROUP BY x.id
),
weight AS MATERIALIZED (
    SELECT coalesce(
        (SELECT w.weight_kg FROM weight_logs AS w
         WHERE w.user_id = me.user_id
         ORDER BY w.measured_at DESC, w.id DESC
         LIMIT 1),
        (SELECT p.weight_kg FROM profiles AS p WHERE p.user_id = me.user_id)) AS kg
    FROM me
)
SELECT p.id, p.goal_type, p.target_value::float8 AS target_value, p.period, p.starts_on,
       p.ends_on, p.start_value::float8 AS start_value, p.direction, p.is_completed,
       p.completed_at, v.current_value::float8 AS current_value,
       round(CASE WHEN p.period = 'once' THEN
                 CASE WHEN p.is_completed THEN 1
                      ELSE greatest(0, least(1, (p.start_value - v.current_value)
                                                / (p.start_value - p.target_value))) END
             ELSE least(1, v.current_value / p.target_value) END, 4)::float8 AS progress,
       b.period_start,
       (b.period_start + ('1 ' || p.unit)::interval - interval '1 day')::date AS period_end,
       CASE WHEN p.unit IS NOT NULL THEN coalesce(m.periods_met, 0)::integer END AS periods_met,
       CASE WHEN p.unit IS NULL THEN NULL
            WHEN s.id IS NULL THEN 0
            WHEN p.period = 'daily' THEN s.current_period - s.first_period + 1
            WHEN p.period = 'weekly' THEN (s.current_period - s.first_period) / 7 + 1
            ELSE (extract(year FROM age(s.current_period, s.first_period)) * 12
                  + extract(month FROM age(s.current_period, s.first_period)))::integer + 1
       END AS periods_total,
       p.created_at, p.updated_at, p.version
FROM me
LEFT JOIN page AS p ON true
LEFT JOIN spans AS s ON s.id = p.id
LEFT JOIN scored AS m ON m.id = p.id
CROSS JOIN weight AS w
CROSS JOIN LATERAL (
    SELECT CASE WHEN p.period = 'once' THEN coalesce(w.kg, p.start_value)
                ELSE coalesce(m.current_value, 0) END AS current_value
) AS v
CROSS JOIN LATERAL (
    SELECT date_trunc(p.unit, greatest(p.on_day, p.starts_on)::timestamp)::date AS period_start
) AS b
ORDER BY p.id DESC;
