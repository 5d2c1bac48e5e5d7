#!/bin/sh
# Run once by the postgres image when it creates the primary: the service's roles, timeouts set on
# its login role (where every PgBouncer server connection gets them), and a replication role the
# standby streams with. Passwords come from the environment (docker-compose.yml).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v app_password="$PGAPI_APP_PASSWORD" -v replicator_password="$PGAPI_REPLICATOR_PASSWORD" <<'SQL'
CREATE ROLE pgapi_service NOLOGIN;
CREATE ROLE pgapi_app LOGIN PASSWORD :'app_password' IN ROLE pgapi_service;
ALTER ROLE pgapi_app SET statement_timeout = '5000ms';
ALTER ROLE pgapi_app SET lock_timeout = '2000ms';
ALTER ROLE pgapi_app SET idle_in_transaction_session_timeout = '10000ms';
CREATE ROLE replicator REPLICATION LOGIN PASSWORD :'replicator_password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
