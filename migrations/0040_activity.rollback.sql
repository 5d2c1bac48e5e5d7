ALTER TABLE daily_nutrition
    DROP CONSTRAINT daily_nutrition_activity_not_negative,
    DROP COLUMN activities,
    DROP COLUMN steps,
    DROP COLUMN active_minutes,
    DROP COLUMN calories_burned;
DROP TABLE activity_logs;
DROP TABLE activity_mets;
