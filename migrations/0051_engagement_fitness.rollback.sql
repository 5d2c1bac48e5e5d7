DROP TRIGGER goals_weight_goal_reached ON goals;
DROP FUNCTION goals_weight_goal_reached();
DROP TRIGGER weight_logs_engagement ON weight_logs;
DROP TRIGGER activity_logs_engagement_moved ON activity_logs;
DROP TRIGGER activity_logs_engagement ON activity_logs;
