-- 0051_engagement_fitness: activities and weigh-ins earn what the engagement sources say
-- (0050: an activity 15 XP, the activity streak on its local date, first_activity and
-- activities_50; a weigh-in 5 XP and first_weigh_in), in the transaction and the statement of
-- their write, as food logs do; and a weight goal completed (by the weigh-in that reached it,
-- 0042) unlocks weight_goal_reached in the same transaction.
-- depends: 0042_goals 0050_engagement

CREATE TRIGGER activity_logs_engagement AFTER INSERT OR DELETE ON activity_logs
    FOR EACH ROW EXECUTE FUNCTION engagement_entry('activity');
CREATE TRIGGER activity_logs_engagement_moved AFTER UPDATE OF local_date ON activity_logs
    FOR EACH ROW WHEN (OLD.local_date IS DISTINCT FROM NEW.local_date)
    EXECUTE FUNCTION engagement_entry('activity');
CREATE TRIGGER weight_logs_engagement AFTER INSERT OR DELETE ON weight_logs
    FOR EACH ROW EXECUTE FUNCTION engagement_entry('weigh_in');

-- A weight goal that a write completed: achievement_unlock is a no-op once it is unlocked.
CREATE FUNCTION goals_weight_goal_reached() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM achievement_unlock(NEW.user_id, 'weight_goal_reached');
    RETURN NULL;
END;
$$;

CREATE TRIGGER goals_weight_goal_reached AFTER UPDATE OF is_completed ON goals
    FOR EACH ROW WHEN (NEW.goal_type = 'weight_kg' AND NEW.is_completed AND NOT OLD.is_completed)
    EXECUTE FUNCTION goals_weight_goal_reached();
