-- ensure_tags: add the names (lowercase, trimmed) that the shared tag vocabulary lacks. A name that
-- another transaction is adding at the same moment is waited for, then skipped, so the next
-- statement of the caller's transaction (set_recipe_tags) finds every name. Served by tags_name_key.
INSERT INTO tags (name)
SELECT DISTINCT n.name
FROM unnest(:'tags'::text[]) AS n (name)
ON CONFLICT (name) DO NOTHING;
