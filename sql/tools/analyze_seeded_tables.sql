-- analyze_seeded_tables: refresh the planner's statistics after a bulk load (python -m app seed),
-- so the first queries after seeding are planned for the tables' new sizes. Returns nothing.
ANALYZE users, tasks, notifications;
