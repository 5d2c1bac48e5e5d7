DROP VIEW user_context;
DROP TABLE daily_nutrition;
DROP TABLE water_logs;
DROP TABLE food_logs;
DROP TYPE day_targets;
