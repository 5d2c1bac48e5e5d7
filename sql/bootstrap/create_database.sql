-- create_database: the CREATE DATABASE statement for the embedded server's database when no
-- database has that name, else no row; the caller runs the statement it returns (psql's \gexec
-- idiom: utility statements take no parameters). Served by pg_database_datname_index.
SELECT format('CREATE DATABASE %I', :'database'::text) AS statement
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database'::text);
