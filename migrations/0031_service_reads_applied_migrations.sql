-- 0031_service_reads_applied_migrations: the service may read which migrations are applied (and
-- nothing else of yoyo's tables), so that /health/ready fails while the schema is not the one its
-- code expects.
-- depends: 0009_recipes_cuisine_not_blank

GRANT SELECT ON _yoyo_migration TO pgapi_service;
