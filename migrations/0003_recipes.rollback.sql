DROP VIEW recipe_details;
DROP TABLE recipe_history;
DROP TABLE favorite_recipes;
DROP TABLE recipe_tags;
DROP TABLE tags;
DROP TABLE recipes;
DROP EXTENSION IF EXISTS btree_gin;
DROP EXTENSION IF EXISTS pg_trgm;
