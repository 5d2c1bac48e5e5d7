-- lock_recipe_for_tags: the first statement of replacing a recipe's tags (set_recipe_tags is the
-- second, in the same transaction). Locks the recipe, when it is an active user's, and adds the
-- names (lowercase, trimmed) that the shared tag vocabulary lacks, in name order, so that two
-- writers never wait for each other's names in opposite orders; a name another transaction is
-- adding at the same moment is waited for, then skipped. Returns the recipe's id, or no row (and
-- nothing added) when it does not exist or is someone else's.
-- A statement of its own because a statement reads the snapshot taken when it starts: once this
-- one holds the lock, set_recipe_tags starts after the writer it waited for committed, sees that
-- writer's tags and replaces them (a delete in the statement that waited would miss them, and
-- both writers' tags would stay). Served by recipes_pkey (user_id, id), users_pkey (id) and
-- tags_name_key.
WITH recipe AS (
    SELECT r.id
    FROM recipes AS r
    JOIN users AS u ON u.id = r.user_id AND u.is_active
        AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    WHERE r.user_id = :'user_id'
      AND r.id = :'recipe_id'
    FOR UPDATE OF r
),
added AS (
    INSERT INTO tags (name)
    SELECT DISTINCT n.name
    FROM unnest(:'tags'::text[]) AS n (name)
    WHERE EXISTS (SELECT FROM recipe)
    ORDER BY n.name
    ON CONFLICT (name) DO NOTHING
)
SELECT r.id FROM recipe AS r;
