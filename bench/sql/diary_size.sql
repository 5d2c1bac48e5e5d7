-- diary_size: how many food logs and days the tables hold and their size on disk with indexes.
SELECT (SELECT count(*) FROM food_logs) AS logs, (SELECT count(*) FROM daily_nutrition) AS days,
       pg_size_pretty(pg_total_relation_size('food_logs')
                      + pg_total_relation_size('daily_nutrition')) AS size;
