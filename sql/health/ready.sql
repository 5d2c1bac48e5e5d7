-- ready: whether this connection's transactions are writable (a standby's are not), and which of
-- the migrations this version needs are not applied, in order.
-- Served by a scan of yoyo's _yoyo_migration (one row per applied migration).
SELECT current_setting('transaction_read_only')::boolean AS read_only,
       ARRAY(
           SELECT needed.id
           FROM unnest(:'migrations'::text[]) WITH ORDINALITY AS needed (id, position)
           WHERE NOT EXISTS (
               SELECT FROM _yoyo_migration AS applied WHERE applied.migration_id = needed.id
           )
           ORDER BY needed.position
       ) AS missing;
