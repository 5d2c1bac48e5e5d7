-- page_positions: for each given user, the keyset position (created_at, id) of its task number
-- skip + 1 in list order (newest first): a cursor made from it opens the page after it. A
-- benchmark setup query, run once, so OFFSET is fine here. Served by tasks_user_created_idx.
SELECT p.user_id, p.created_at, p.id
FROM unnest(:'user_ids'::bigint[]) WITH ORDINALITY AS u (id, n)
CROSS JOIN LATERAL (
    SELECT t.user_id, t.created_at, t.id
    FROM tasks AS t
    WHERE t.user_id = u.id
    ORDER BY t.created_at DESC, t.id DESC
    OFFSET :'skip'
    LIMIT 1
) AS p
ORDER BY u.n;
