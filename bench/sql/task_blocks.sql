-- task_blocks: for each given user, in the order given, the first and last id of its tasks and how
-- many it has (the benchmarks need each user's tasks to have consecutive ids, as a fresh seed
-- writes them). Served by tasks_pkey (user_id, id).
SELECT u.id AS user_id, min(t.id) AS first_task, max(t.id) AS last_task, count(*) AS tasks
FROM unnest(:'user_ids'::bigint[]) WITH ORDINALITY AS u (id, n)
JOIN tasks AS t ON t.user_id = u.id
GROUP BY u.id, u.n
ORDER BY u.n;
