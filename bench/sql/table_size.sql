-- table_size: how many tasks the table holds and its size on disk with its indexes.
SELECT count(*) AS tasks, pg_size_pretty(pg_total_relation_size('tasks')) AS size
FROM tasks;
