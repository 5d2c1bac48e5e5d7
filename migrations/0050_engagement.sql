-- 0050_engagement: streaks, the XP ledger, user stats and achievements (the seed's streaks,
-- user_stats and achievements), all maintained by the database in the transaction of the write
-- that changes them: an AFTER trigger on each rewarded table (food_logs, recipe_history; the
-- activity and weigh-in tables add theirs: see the README, "Engagement hooks") and on
-- daily_nutrition for the water goal. Nothing recomputes them later.
-- depends: 0011_nutrition 0035_notifications

-- What each kind of rewarded entry earns and counts towards: its XP, the streak its local dates
-- make (NULL: none), and the user_stats counter it moves. A source table's trigger names its kind.
CREATE TABLE engagement_sources (
    source_kind text    NOT NULL,
    xp          integer NOT NULL,
    streak_kind text,
    CONSTRAINT engagement_sources_pkey PRIMARY KEY (source_kind),
    CONSTRAINT engagement_sources_xp_positive CHECK (xp > 0),
    CONSTRAINT engagement_sources_streak_kind_valid CHECK (
        streak_kind IN ('food_logging', 'activity', 'water_goal')
    )
);

INSERT INTO engagement_sources (source_kind, xp, streak_kind) VALUES
    ('food_log', 10, 'food_logging'),
    ('activity', 15, 'activity'),
    ('weigh_in', 5, NULL),
    ('recipe_history', 5, NULL);

-- The local dates that count towards a streak, with how many entries make each one (a food
-- logging or activity day: its entries; a water goal day: 1 while the day's water reaches its
-- target). A day with no entries left has no row.
CREATE TABLE streak_days (
    user_id bigint  NOT NULL,
    kind    text    NOT NULL,
    date    date    NOT NULL,
    entries integer NOT NULL,
    -- Every writer's upsert, and each streak's recount (an index-only walk of one kind's dates).
    CONSTRAINT streak_days_pkey PRIMARY KEY (user_id, kind, date),
    CONSTRAINT streak_days_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT streak_days_kind_valid CHECK (kind IN ('food_logging', 'activity', 'water_goal')),
    CONSTRAINT streak_days_entries_positive CHECK (entries > 0)
);

-- One row per user and kind once it ever had a day: the run of consecutive days that ends at the
-- latest day (current_count, ending at last_activity_date), and the longest run. A reader takes
-- current_count as 0 when last_activity_date is before the user's local yesterday.
CREATE TABLE streaks (
    user_id            bigint      NOT NULL,
    kind               text        NOT NULL,
    current_count      integer     NOT NULL DEFAULT 0,
    longest_count      integer     NOT NULL DEFAULT 0,
    last_activity_date date,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT streaks_pkey PRIMARY KEY (user_id, kind),
    CONSTRAINT streaks_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT streaks_kind_valid CHECK (kind IN ('food_logging', 'activity', 'water_goal')),
    CONSTRAINT streaks_counts_valid CHECK (0 <= current_count AND current_count <= longest_count)
);

-- A streak run that reached a milestone (7, 30, 100 days), so that it notifies once: the run is
-- known by the day it started.
CREATE TABLE streak_milestones (
    user_id    bigint      NOT NULL,
    kind       text        NOT NULL,
    started_on date        NOT NULL,
    days       integer     NOT NULL,
    reached_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT streak_milestones_pkey PRIMARY KEY (user_id, kind, started_on, days),
    CONSTRAINT streak_milestones_user_fkey FOREIGN KEY (user_id) REFERENCES users (id)
        ON DELETE CASCADE
);

-- The XP ledger: one row per rewarded source, so a source pays once (a retried write, a trigger
-- firing twice, a concurrent writer: the second insert conflicts and pays nothing), and deleting
-- the source deletes its row and takes its XP back.
CREATE TABLE xp_events (
    user_id     bigint      NOT NULL,
    source_kind text        NOT NULL,
    source_id   bigint      NOT NULL,
    xp          integer     NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT xp_events_pkey PRIMARY KEY (user_id, source_kind, source_id),
    CONSTRAINT xp_events_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    -- An entry's kind (engagement_sources), or an achievement (source_id: its id), which pays
    -- its own XP.
    CONSTRAINT xp_events_source_kind_valid CHECK (
        source_kind IN ('food_log', 'activity', 'weigh_in', 'recipe_history', 'achievement')
    ),
    CONSTRAINT xp_events_xp_positive CHECK (xp > 0)
);

-- The sum of the ledger and the count of each kind of entry, per user, moved with them.
CREATE TABLE user_stats (
    user_id                 bigint      NOT NULL,
    xp                      bigint      NOT NULL DEFAULT 0,
    total_meals_logged      integer     NOT NULL DEFAULT 0,
    total_activities_logged integer     NOT NULL DEFAULT 0,
    total_recipes_generated integer     NOT NULL DEFAULT 0,
    total_weigh_ins         integer     NOT NULL DEFAULT 0,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_stats_pkey PRIMARY KEY (user_id),
    CONSTRAINT user_stats_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_stats_not_negative CHECK (
        xp >= 0 AND total_meals_logged >= 0 AND total_activities_logged >= 0
        AND total_recipes_generated >= 0 AND total_weigh_ins >= 0
    )
);

-- The catalogue. metric: what its progress counts (a user_stats total or a streak's longest run),
-- or 'event' for one its domain unlocks by name (weight_goal_reached).
CREATE TABLE achievements (
    id          smallint NOT NULL,
    code        text     NOT NULL,
    title       text     NOT NULL,
    description text     NOT NULL,
    xp          integer  NOT NULL,
    metric      text     NOT NULL,
    threshold   integer  NOT NULL,
    CONSTRAINT achievements_pkey PRIMARY KEY (id),
    CONSTRAINT achievements_code_key UNIQUE (code),
    CONSTRAINT achievements_xp_positive CHECK (xp > 0),
    CONSTRAINT achievements_metric_valid CHECK (metric IN (
        'meals', 'activities', 'weigh_ins', 'recipes', 'food_logging_streak', 'activity_streak',
        'water_goal_streak', 'event')),
    CONSTRAINT achievements_threshold_positive CHECK (threshold > 0)
);

INSERT INTO achievements (id, code, title, description, xp, metric, threshold) VALUES
    (1, 'first_meal', 'First meal', 'Log your first meal.', 20, 'meals', 1),
    (2, 'meals_100', 'Hundred meals', 'Log 100 meals.', 150, 'meals', 100),
    (3, 'streak_food_7', 'A week of logging', 'Log food 7 days in a row.', 70,
     'food_logging_streak', 7),
    (4, 'streak_food_30', 'A month of logging', 'Log food 30 days in a row.', 300,
     'food_logging_streak', 30),
    (5, 'first_activity', 'First activity', 'Log your first activity.', 20, 'activities', 1),
    (6, 'activities_50', 'Fifty activities', 'Log 50 activities.', 150, 'activities', 50),
    (7, 'first_weigh_in', 'First weigh-in', 'Log your weight for the first time.', 20,
     'weigh_ins', 1),
    (8, 'weight_goal_reached', 'Goal weight', 'Reach your goal weight.', 250, 'event', 1),
    (9, 'water_goal_7', 'Well watered', 'Reach your water target 7 days in a row.', 70,
     'water_goal_streak', 7),
    (10, 'first_recipe', 'First recipe', 'Generate or cook your first recipe.', 20, 'recipes', 1);

CREATE TABLE user_achievements (
    user_id        bigint      NOT NULL,
    achievement_id smallint    NOT NULL,
    unlocked_at    timestamptz NOT NULL DEFAULT now(),
    -- At most once per user.
    CONSTRAINT user_achievements_pkey PRIMARY KEY (user_id, achievement_id),
    CONSTRAINT user_achievements_user_fkey FOREIGN KEY (user_id) REFERENCES users (id)
        ON DELETE CASCADE,
    CONSTRAINT user_achievements_achievement_fkey FOREIGN KEY (achievement_id)
        REFERENCES achievements (id)
);

-- Level L needs 100 * L * (L - 1) / 2 XP in total: L is the largest with that much.
CREATE FUNCTION xp_level(xp bigint) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN floor((1 + sqrt(1 + 8 * xp::numeric / 100)) / 2)::integer;

CREATE FUNCTION xp_for_level(level integer) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN 100::bigint * level * (level - 1) / 2;

-- Unlock achievements (by id) the user has not unlocked, each with its XP in the ledger and
-- user_stats and an achievement_unlocked notification. The unique key makes it at most once.
CREATE FUNCTION achievements_grant(p_user_id bigint, p_ids smallint[]) RETURNS void
LANGUAGE sql VOLATILE
BEGIN ATOMIC
    WITH unlocked AS (
        INSERT INTO user_achievements (user_id, achievement_id)
        SELECT p_user_id, a.id FROM achievements AS a WHERE a.id = ANY (p_ids)
        ON CONFLICT (user_id, achievement_id) DO NOTHING
        RETURNING achievement_id
    ),
    won AS (
        SELECT a.id, a.code, a.title, a.description, a.xp
        FROM unlocked AS u JOIN achievements AS a ON a.id = u.achievement_id
    ),
    paid AS (
        INSERT INTO xp_events (user_id, source_kind, source_id, xp)
        SELECT p_user_id, 'achievement', w.id, w.xp FROM won AS w
        ON CONFLICT (user_id, source_kind, source_id) DO NOTHING
        RETURNING xp
    ),
    added AS (
        INSERT INTO user_stats AS s (user_id, xp)
        SELECT p_user_id, sum(p.xp) FROM paid AS p HAVING count(*) > 0
        ON CONFLICT (user_id) DO UPDATE SET xp = s.xp + excluded.xp, updated_at = now()
    )
    INSERT INTO notifications (user_id, kind, title, body, data)
    SELECT p_user_id, 'achievement_unlocked', 'Achievement unlocked: ' || w.title,
           w.description, jsonb_build_object('achievement', w.code, 'xp', w.xp)
    FROM won AS w;
END;

-- Unlock what the user's totals and streaks have earned, among the achievements of metrics.
CREATE FUNCTION achievements_check(p_user_id bigint, p_metrics text[]) RETURNS void
LANGUAGE sql VOLATILE
BEGIN ATOMIC
    SELECT achievements_grant(p_user_id, array_agg(a.id))
    FROM achievements AS a
    LEFT JOIN user_stats AS s ON s.user_id = p_user_id
    LEFT JOIN streaks AS k ON k.user_id = p_user_id
                          AND k.kind = CASE a.metric
                                           WHEN 'food_logging_streak' THEN 'food_logging'
                                           WHEN 'activity_streak' THEN 'activity'
                                           WHEN 'water_goal_streak' THEN 'water_goal'
                                       END
    WHERE a.metric = ANY (p_metrics)
      AND CASE a.metric
              WHEN 'meals' THEN s.total_meals_logged
              WHEN 'activities' THEN s.total_activities_logged
              WHEN 'weigh_ins' THEN s.total_weigh_ins
              WHEN 'recipes' THEN s.total_recipes_generated
              ELSE k.longest_count
          END >= a.threshold
      AND NOT EXISTS (SELECT FROM user_achievements AS u
                      WHERE u.user_id = p_user_id AND u.achievement_id = a.id)
    HAVING count(*) > 0;
END;

-- Unlock one achievement by its code (for one a domain decides, as weight_goal_reached).
CREATE FUNCTION achievement_unlock(p_user_id bigint, p_code text) RETURNS void
LANGUAGE sql VOLATILE
BEGIN ATOMIC
    SELECT achievements_grant(p_user_id, ARRAY[a.id])
    FROM achievements AS a
    WHERE a.code = p_code
      AND EXISTS (SELECT FROM users AS u WHERE u.id = p_user_id);
END;

-- The streak of kind after p_date joined it (p_added) or left it, and a notification for each
-- milestone a run reaches the first time. The common cases are O(1): a day after the latest (the
-- next one, or after a gap), or the day before the latest run when no day precedes it. Anything
-- else (a day in the middle, one that joins two runs, a day taken out) counts the runs again from
-- the days (gaps and islands over streak_days_pkey). The streak's row is locked first, in a
-- statement of its own, so what follows (later statements: fresh snapshots) sees every day a
-- concurrent writer committed before it.
CREATE FUNCTION streak_recount(p_user_id bigint, p_kind text, p_date date, p_added boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    was streaks;
    now_current integer;
    now_longest integer;
    now_last date;
    milestone integer;
BEGIN
    INSERT INTO streaks (user_id, kind) VALUES (p_user_id, p_kind)
    ON CONFLICT (user_id, kind) DO NOTHING;
    SELECT * INTO was FROM streaks WHERE user_id = p_user_id AND kind = p_kind FOR UPDATE;

    IF p_added AND (was.last_activity_date IS NULL OR p_date > was.last_activity_date) THEN
        now_current := CASE WHEN p_date = was.last_activity_date + 1
                            THEN was.current_count + 1 ELSE 1 END;
        now_last := p_date;
        now_longest := greatest(was.longest_count, now_current);
    ELSIF p_added AND p_date = was.last_activity_date - was.current_count
          AND NOT EXISTS (SELECT FROM streak_days AS d
                          WHERE d.user_id = p_user_id AND d.kind = p_kind
                            AND d.date = p_date - 1) THEN
        now_current := was.current_count + 1;
        now_last := was.last_activity_date;
        now_longest := greatest(was.longest_count, now_current);
    ELSE
        WITH days AS (
            SELECT d.date, d.date - (row_number() OVER (ORDER BY d.date))::integer AS island
            FROM streak_days AS d
            WHERE d.user_id = p_user_id AND d.kind = p_kind
        ),
        runs AS (
            SELECT max(date) AS last_day, count(*)::integer AS days FROM days GROUP BY island
        )
        SELECT coalesce((SELECT r.days FROM runs AS r ORDER BY r.last_day DESC LIMIT 1), 0),
               coalesce((SELECT max(r.days) FROM runs AS r), 0),
               (SELECT max(r.last_day) FROM runs AS r)
        INTO now_current, now_longest, now_last;
    END IF;

    UPDATE streaks
    SET current_count = now_current, longest_count = now_longest,
        last_activity_date = now_last, updated_at = now()
    WHERE user_id = p_user_id AND kind = p_kind;

    FOREACH milestone IN ARRAY ARRAY[7, 30, 100] LOOP
        IF was.current_count < milestone AND now_current >= milestone THEN
            INSERT INTO streak_milestones (user_id, kind, started_on, days)
            VALUES (p_user_id, p_kind, now_last - now_current + 1, milestone)
            ON CONFLICT DO NOTHING;
            IF FOUND THEN
                INSERT INTO notifications (user_id, kind, title, body, data)
                VALUES (p_user_id, 'streak_milestone',
                        format('%s days in a row', milestone),
                        format('Your %s streak reached %s days.', replace(p_kind, '_', ' '),
                               milestone),
                        jsonb_build_object('streak', p_kind, 'days', milestone,
                                           'started_on', now_last - now_current + 1));
            END IF;
        END IF;
    END LOOP;

    IF now_longest > was.longest_count THEN
        PERFORM achievements_check(p_user_id, ARRAY[p_kind || '_streak']);
    END IF;
END $$;

-- Lock the user's user_stats row (made when missing): every engagement write locks it before a
-- streak's row (one order, no deadlock). False for a user being deleted.
CREATE FUNCTION user_stats_lock(p_user_id bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO user_stats AS s (user_id) SELECT u.id FROM users AS u WHERE u.id = p_user_id
    ON CONFLICT (user_id) DO UPDATE SET updated_at = now();
    RETURN FOUND;
END $$;

-- A local date gains (delta 1) or loses (delta -1) one entry of a streak of kind: the day joins
-- the streak with its first entry and leaves it with its last, and then the streak is counted
-- again. The caller holds the user's user_stats row.
CREATE FUNCTION streak_day(p_user_id bigint, p_kind text, p_date date, p_delta integer)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    changed boolean;
BEGIN
    IF p_delta > 0 THEN
        INSERT INTO streak_days AS d (user_id, kind, date, entries)
        VALUES (p_user_id, p_kind, p_date, 1)
        ON CONFLICT (user_id, kind, date) DO UPDATE SET entries = d.entries + 1
        RETURNING d.entries = 1 INTO changed;
    ELSE
        DELETE FROM streak_days
        WHERE user_id = p_user_id AND kind = p_kind AND date = p_date AND entries = 1;
        changed := FOUND;
        IF NOT changed THEN
            UPDATE streak_days SET entries = entries - 1
            WHERE user_id = p_user_id AND kind = p_kind AND date = p_date;
        END IF;
    END IF;
    IF changed THEN
        PERFORM streak_recount(p_user_id, p_kind, p_date, p_delta > 0);
    END IF;
END $$;

-- A rewarded entry was written (p_delta 1) or deleted (-1): its XP row is added or removed (once:
-- unique on the source) and user_stats moved by it, with its kind's counter; the local date
-- joins or leaves its kind's streak; and what its counter earned is unlocked. Nothing for a user
-- being deleted (their rows go with them).
CREATE FUNCTION engagement_entry_changed(p_user_id bigint, p_source_kind text,
                                         p_source_id bigint, p_local_date date,
                                         p_delta integer)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    source engagement_sources;
    paid integer;
    total integer;
    counted text := CASE p_source_kind WHEN 'food_log' THEN 'meals'
                                       WHEN 'activity' THEN 'activities'
                                       WHEN 'weigh_in' THEN 'weigh_ins'
                                       WHEN 'recipe_history' THEN 'recipes' END;
BEGIN
    IF p_delta < 0 AND NOT EXISTS (SELECT FROM users AS u WHERE u.id = p_user_id) THEN
        RETURN;  -- a user being deleted: their rows go with them
    END IF;
    SELECT * INTO STRICT source FROM engagement_sources WHERE source_kind = p_source_kind;
    IF p_delta > 0 THEN
        INSERT INTO xp_events (user_id, source_kind, source_id, xp)
        VALUES (p_user_id, p_source_kind, p_source_id, source.xp)
        ON CONFLICT (user_id, source_kind, source_id) DO NOTHING
        RETURNING xp INTO paid;
    ELSE
        DELETE FROM xp_events
        WHERE user_id = p_user_id AND source_kind = p_source_kind AND source_id = p_source_id
        RETURNING -xp INTO paid;
    END IF;
    IF paid IS NULL THEN
        RETURN;  -- already paid (or, deleted, never paid)
    END IF;
    -- A write upserts; a delete only updates (a CHECK holds for the row an INSERT proposes,
    -- even one that ends as the UPDATE; and a deleted entry's insert made the row).
    IF p_delta > 0 THEN
        INSERT INTO user_stats AS s (user_id, xp, total_meals_logged, total_activities_logged,
                                     total_recipes_generated, total_weigh_ins)
        VALUES (p_user_id, paid, (p_source_kind = 'food_log')::integer,
                (p_source_kind = 'activity')::integer,
                (p_source_kind = 'recipe_history')::integer,
                (p_source_kind = 'weigh_in')::integer)
        ON CONFLICT (user_id) DO UPDATE
        SET xp = s.xp + excluded.xp,
            total_meals_logged = s.total_meals_logged + excluded.total_meals_logged,
            total_activities_logged = s.total_activities_logged
                + excluded.total_activities_logged,
            total_recipes_generated = s.total_recipes_generated
                + excluded.total_recipes_generated,
            total_weigh_ins = s.total_weigh_ins + excluded.total_weigh_ins,
            updated_at = now()
        RETURNING CASE counted WHEN 'meals' THEN s.total_meals_logged
                               WHEN 'activities' THEN s.total_activities_logged
                               WHEN 'weigh_ins' THEN s.total_weigh_ins
                               ELSE s.total_recipes_generated END
        INTO total;
    ELSE
        UPDATE user_stats AS s
        SET xp = s.xp + paid,
            total_meals_logged = s.total_meals_logged - (p_source_kind = 'food_log')::integer,
            total_activities_logged = s.total_activities_logged
                - (p_source_kind = 'activity')::integer,
            total_recipes_generated = s.total_recipes_generated
                - (p_source_kind = 'recipe_history')::integer,
            total_weigh_ins = s.total_weigh_ins - (p_source_kind = 'weigh_in')::integer,
            updated_at = now()
        WHERE s.user_id = p_user_id;
    END IF;
    IF source.streak_kind IS NOT NULL THEN
        PERFORM streak_day(p_user_id, source.streak_kind, p_local_date, p_delta);
    END IF;
    -- Totals move one at a time: one reaching an achievement's threshold is the only time it
    -- can unlock one.
    IF p_delta > 0 AND EXISTS (SELECT FROM achievements AS a
                               WHERE a.metric = counted AND a.threshold = total) THEN
        PERFORM achievements_check(p_user_id, ARRAY[counted]);
    END IF;
END $$;

-- The trigger of a rewarded table (TG_ARGV[0]: its source kind): rows with user_id and id, and
-- local_date when the kind makes a streak. An entry moved to another local date moves its day.
CREATE FUNCTION engagement_entry() RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    streak text := (SELECT s.streak_kind FROM engagement_sources AS s
                    WHERE s.source_kind = TG_ARGV[0]);
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF user_stats_lock(NEW.user_id) THEN
            PERFORM streak_day(NEW.user_id, streak, OLD.local_date, -1);
            PERFORM streak_day(NEW.user_id, streak, NEW.local_date, 1);
        END IF;
    ELSIF TG_OP = 'INSERT' AND streak IS NULL THEN
        PERFORM engagement_entry_changed(NEW.user_id, TG_ARGV[0], NEW.id, NULL, 1);
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM engagement_entry_changed(NEW.user_id, TG_ARGV[0], NEW.id, NEW.local_date, 1);
    ELSIF streak IS NULL THEN
        PERFORM engagement_entry_changed(OLD.user_id, TG_ARGV[0], OLD.id, NULL, -1);
    ELSE
        PERFORM engagement_entry_changed(OLD.user_id, TG_ARGV[0], OLD.id, OLD.local_date, -1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER food_logs_engagement AFTER INSERT OR DELETE ON food_logs
    FOR EACH ROW EXECUTE FUNCTION engagement_entry('food_log');
CREATE TRIGGER food_logs_engagement_moved AFTER UPDATE OF local_date ON food_logs
    FOR EACH ROW WHEN (OLD.local_date IS DISTINCT FROM NEW.local_date)
    EXECUTE FUNCTION engagement_entry('food_log');
CREATE TRIGGER recipe_history_engagement AFTER INSERT OR DELETE ON recipe_history
    FOR EACH ROW EXECUTE FUNCTION engagement_entry('recipe_history');

-- A day reached its water target (or stopped reaching it: water deleted, the day's targets
-- taken again): the water_goal streak gains or loses the day. A day without targets (no profile)
-- has no goal.
CREATE FUNCTION water_goal_day() RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF user_stats_lock(NEW.user_id) THEN
        PERFORM streak_day(NEW.user_id, 'water_goal', NEW.date,
                           CASE WHEN coalesce(NEW.water_ml >= (NEW.targets).water_ml, false)
                                THEN 1 ELSE -1 END);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER daily_nutrition_water_goal_started AFTER INSERT ON daily_nutrition
    FOR EACH ROW WHEN (NEW.water_ml >= (NEW.targets).water_ml)
    EXECUTE FUNCTION water_goal_day();
CREATE TRIGGER daily_nutrition_water_goal_changed AFTER UPDATE OF water_ml, targets
    ON daily_nutrition
    FOR EACH ROW WHEN (coalesce(OLD.water_ml >= (OLD.targets).water_ml, false)
                       IS DISTINCT FROM coalesce(NEW.water_ml >= (NEW.targets).water_ml, false))
    EXECUTE FUNCTION water_goal_day();

-- Count everything the entries of these users earn afresh, set-based: their XP rows, totals and
-- streak days from their food logs, recipe history and water days, the streaks those days make
-- (as streak_recount counts them, without milestone notifications), and the achievements they
-- unlock (with XP and a notification; those already unlocked stay, with their XP). For entries
-- written without the triggers: this migration's backfill of what came before it, and a bulk
-- load (a benchmark's seed) that turns them off, since per-row triggers on one user's thousands
-- of rows in one transaction update the same rows thousands of times.
CREATE FUNCTION engagement_rebuild(p_user_ids bigint[]) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    DELETE FROM xp_events
    WHERE user_id = ANY (p_user_ids) AND source_kind <> 'achievement';
    DELETE FROM streak_days WHERE user_id = ANY (p_user_ids);
    DELETE FROM streaks WHERE user_id = ANY (p_user_ids);
    DELETE FROM user_stats WHERE user_id = ANY (p_user_ids);

    INSERT INTO xp_events (user_id, source_kind, source_id, xp)
    SELECT f.user_id, s.source_kind, f.id, s.xp
    FROM food_logs AS f JOIN engagement_sources AS s ON s.source_kind = 'food_log'
    WHERE f.user_id = ANY (p_user_ids)
    UNION ALL
    SELECT h.user_id, s.source_kind, h.id, s.xp
    FROM recipe_history AS h JOIN engagement_sources AS s ON s.source_kind = 'recipe_history'
    WHERE h.user_id = ANY (p_user_ids);

    INSERT INTO user_stats (user_id, xp, total_meals_logged, total_recipes_generated)
    SELECT e.user_id, sum(e.xp), count(*) FILTER (WHERE e.source_kind = 'food_log'),
           count(*) FILTER (WHERE e.source_kind = 'recipe_history')
    FROM xp_events AS e
    WHERE e.user_id = ANY (p_user_ids)
    GROUP BY e.user_id;

    INSERT INTO streak_days (user_id, kind, date, entries)
    SELECT f.user_id, 'food_logging', f.local_date, count(*)
    FROM food_logs AS f WHERE f.user_id = ANY (p_user_ids) GROUP BY f.user_id, f.local_date
    UNION ALL
    SELECT d.user_id, 'water_goal', d.date, 1
    FROM daily_nutrition AS d
    WHERE d.user_id = ANY (p_user_ids) AND d.water_ml >= (d.targets).water_ml;

    INSERT INTO streaks (user_id, kind, current_count, longest_count, last_activity_date)
    WITH days AS (
        SELECT d.user_id, d.kind, d.date,
               d.date - (row_number() OVER (PARTITION BY d.user_id, d.kind
                                            ORDER BY d.date))::integer AS island
        FROM streak_days AS d
        WHERE d.user_id = ANY (p_user_ids)
    ),
    runs AS (
        SELECT user_id, kind, max(date) AS last_day, count(*)::integer AS days
        FROM days GROUP BY user_id, kind, island
    )
    SELECT DISTINCT ON (r.user_id, r.kind) r.user_id, r.kind, r.days,
           max(r.days) OVER (PARTITION BY r.user_id, r.kind),
           max(r.last_day) OVER (PARTITION BY r.user_id, r.kind)
    FROM runs AS r
    ORDER BY r.user_id, r.kind, r.last_day DESC;

    PERFORM achievements_check(s.user_id, ARRAY['meals', 'recipes', 'food_logging_streak',
                                                'water_goal_streak'])
    FROM user_stats AS s
    WHERE s.user_id = ANY (p_user_ids);
END $$;

-- What the entries written before this migration earned.
DO $$
BEGIN
    PERFORM engagement_rebuild(array_agg(u.id)) FROM users AS u;
END $$;

GRANT SELECT ON engagement_sources, achievements TO pgapi_service;
GRANT SELECT, INSERT, UPDATE, DELETE
    ON streak_days, streaks, streak_milestones, xp_events, user_stats, user_achievements
    TO pgapi_service;
