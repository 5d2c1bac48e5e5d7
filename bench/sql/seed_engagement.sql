-- seed_engagement: the XP, totals, streaks and achievements of the given users' seeded entries,
-- counted once and set-based (engagement_rebuild), after a seed written without triggers.
SELECT count(*) AS users
FROM (SELECT engagement_rebuild(:'user_ids'::bigint[])) AS rebuilt;
