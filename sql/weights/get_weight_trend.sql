-- get_weight_trend: an active user's weight trend from..to (inclusive; to defaults to the user's
-- local today, from to 364 days before to), one row per local date of the range with a weigh-in:
-- the day's last weigh-in (by measured_at), the mean of the weigh-ins of the 7 local dates
-- ending that date, and the trend, the exponentially smoothed weight of the Hacker's Diet over
-- the dates with weigh-ins, T = T_prev + 0.1 (W - T_prev) with W the day's last weigh-in, seeded
-- by the first weigh-in ever. In one statement, with window functions, in closed form:
--   T_n = 0.9^n (T_0 + 0.1 sum_{k<=n} 0.9^-k W_k)   (n = 1, 2, ... the dates in order)
-- The n-th date's trend owes the k-th weigh-in date 0.1 x 0.9^(n-k) of it: 350 dates back that is
-- below 1e-16, under float8's precision. So the smoothing reads the dates of the range (and the 6
-- before, for the means) and at most the 350 dates with weigh-ins before those, not the whole
-- history: the work is bounded by the range, however long the history (a year of history and
-- five years give the same trend to the last digit shown). range_days is the length of the
-- range; when it is not 1-3660 there is one row, its date NULL, and nothing else is read; when no
-- date of the range has a weigh-in, one row with a NULL date too. No row when the user is gone or
-- deactivated. Served by user_context (users_pkey, profiles_pkey) and
-- weight_logs_user_local_date_idx (user_id, local_date DESC, measured_at DESC, id DESC): a range
-- scan, a walk back from the range's start stopped by a LIMIT, and one probe from its far end.
WITH span AS (
    SELECT c.user_id, b.first_day, b.last_day, b.last_day - b.first_day + 1 AS range_days
    FROM user_context AS c
    CROSS JOIN LATERAL (
        SELECT coalesce(:'from_date'::date, coalesce(:'to_date'::date, c.today) - 364)
                   AS first_day,
               coalesce(:'to_date'::date, c.today) AS last_day
    ) AS b
    WHERE c.user_id = :'user_id'
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
),
-- The dates of the range and the 6 before it, with their last weigh-in, sum and count.
near AS (
    SELECT w.local_date AS date,
           (array_agg(w.weight_kg ORDER BY w.measured_at DESC, w.id DESC))[1] AS last_kg,
           sum(w.weight_kg) AS total_kg, count(*) AS weigh_ins
    FROM span AS s
    JOIN weight_logs AS w ON w.user_id = s.user_id
                         AND w.local_date BETWEEN s.first_day - 6 AND s.last_day
    WHERE s.range_days BETWEEN 1 AND 3660
    GROUP BY w.local_date
),
-- The 350 dates with weigh-ins before those, with their last weigh-in: only the trend needs them.
earlier AS (
    SELECT e.date, e.last_kg, 0 AS total_kg, 0 AS weigh_ins
    FROM span AS s
    CROSS JOIN LATERAL (
        SELECT DISTINCT ON (w.local_date) w.local_date AS date, w.weight_kg AS last_kg
        FROM weight_logs AS w
        WHERE w.user_id = s.user_id
          AND w.local_date < s.first_day - 6
        ORDER BY w.local_date DESC, w.measured_at DESC, w.id DESC
        LIMIT 350
    ) AS e
    WHERE s.range_days BETWEEN 1 AND 3660
),
-- T_0: the first weigh-in ever (of the first date, by measured_at).
seed AS (
    SELECT f.kg
    FROM span AS s
    CROSS JOIN LATERAL (
        SELECT w.weight_kg::float8 AS kg
        FROM weight_logs AS w
        WHERE w.user_id = s.user_id
        ORDER BY w.local_date, w.measured_at, w.id
        LIMIT 1
    ) AS f
    WHERE s.range_days BETWEEN 1 AND 3660
),
numbered AS (
    SELECT d.date, d.last_kg, d.total_kg, d.weigh_ins, row_number() OVER (ORDER BY d.date) AS n
    FROM (SELECT n.date, n.last_kg, n.total_kg, n.weigh_ins FROM near AS n
          UNION ALL
          SELECT e.date, e.last_kg, e.total_kg, e.weigh_ins FROM earlier AS e) AS d
),
smoothed AS (
    SELECT x.date, x.last_kg,
           sum(x.total_kg) OVER week / nullif(sum(x.weigh_ins) OVER week, 0) AS average_7d,
           power(0.9::float8, x.n) * (z.kg + 0.1 * sum(
               x.last_kg::float8 * power(0.9::float8, -x.n)) OVER (
               ORDER BY x.date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS trend_kg
    FROM numbered AS x
    CROSS JOIN seed AS z
    WINDOW week AS (ORDER BY x.date RANGE BETWEEN interval '6 days' PRECEDING AND CURRENT ROW)
)
SELECT s.range_days, t.date, t.last_kg::float8 AS weight_kg,
       round(t.average_7d, 2)::float8 AS average_7d,
       round(t.trend_kg::numeric, 2)::float8 AS trend_kg
FROM span AS s
LEFT JOIN smoothed AS t ON t.date BETWEEN s.first_day AND s.last_day
ORDER BY t.date;
