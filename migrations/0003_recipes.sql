-- 0003_recipes: a user's recipes (structured columns for what is filtered or sorted, the whole
-- document as JSONB), a shared tag vocabulary, favorites and history; user-owned tables are keyed
-- (user_id, id) so that Citus can distribute them together by user_id.
-- depends: 0002_tasks

-- Trigram search on names (q), and btree columns inside GIN indexes so user_id can lead them.
-- Both are trusted extensions: a database owner may create them, no superuser needed.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE recipes (
    user_id              bigint           NOT NULL,
    id                   bigint           GENERATED ALWAYS AS IDENTITY,
    name                 text             NOT NULL,
    description          text,
    cuisine_type         text,
    difficulty           text,
    prep_time            integer,
    cook_time            integer,
    -- prep_time + cook_time, counting an unknown part as 0; unknown when both are.
    total_time           integer          GENERATED ALWAYS AS (
        CASE WHEN prep_time IS NULL AND cook_time IS NULL THEN NULL
             ELSE coalesce(prep_time, 0) + coalesce(cook_time, 0) END
    ) STORED,
    servings             integer,
    calories_per_serving double precision,
    protein_per_serving  double precision,
    carbs_per_serving    double precision,
    fat_per_serving      double precision,
    confidence_score     double precision,
    image_url            text,
    recipe_json          jsonb            NOT NULL,
    -- The document's ingredient names, lowercased, as a JSON array: what ?ingredient= matches by
    -- containment, whatever letter case the client used in the document.
    ingredient_names     jsonb            GENERATED ALWAYS AS (
        lower(jsonb_path_query_array(recipe_json, '$.ingredients[*].name')::text)::jsonb
    ) STORED,
    created_at           timestamptz      NOT NULL DEFAULT now(),
    updated_at           timestamptz      NOT NULL DEFAULT now(),
    version              bigint           NOT NULL DEFAULT 1,
    CONSTRAINT recipes_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT recipes_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT recipes_name_length CHECK (char_length(name) BETWEEN 1 AND 200 AND name ~ '[^[:space:]]'),
    CONSTRAINT recipes_description_length CHECK (char_length(description) <= 2000),
    CONSTRAINT recipes_cuisine_type_length CHECK (char_length(cuisine_type) BETWEEN 1 AND 50),
    CONSTRAINT recipes_difficulty_valid CHECK (difficulty IN ('easy', 'medium', 'hard')),
    CONSTRAINT recipes_prep_time_range CHECK (prep_time BETWEEN 0 AND 10080),
    CONSTRAINT recipes_cook_time_range CHECK (cook_time BETWEEN 0 AND 10080),
    CONSTRAINT recipes_servings_range CHECK (servings BETWEEN 1 AND 1000),
    CONSTRAINT recipes_nutrition_not_negative CHECK (
        calories_per_serving BETWEEN 0 AND 100000 AND protein_per_serving BETWEEN 0 AND 100000
        AND carbs_per_serving BETWEEN 0 AND 100000 AND fat_per_serving BETWEEN 0 AND 100000
    ),
    CONSTRAINT recipes_confidence_score_range CHECK (confidence_score BETWEEN 0 AND 1),
    CONSTRAINT recipes_image_url_length CHECK (char_length(image_url) BETWEEN 1 AND 2048),
    CONSTRAINT recipes_recipe_json_object CHECK (
        jsonb_typeof(recipe_json) = 'object'
        AND jsonb_typeof(recipe_json -> 'ingredients') = 'array'
        AND jsonb_typeof(recipe_json -> 'instructions') = 'array'
    ),
    -- The API bounds the compact JSON at 64 KiB; jsonb's text form adds a space after each , and :.
    CONSTRAINT recipes_recipe_json_size CHECK (octet_length(recipe_json::text) <= 262144)
);

-- list_recipes_newest: newest first, keyset on (created_at, id).
CREATE INDEX recipes_user_created_idx ON recipes (user_id, created_at DESC, id DESC);
-- list_recipes_by_calories: fewest calories first, unknown last, keyset on (calories, id).
CREATE INDEX recipes_user_calories_idx
    ON recipes (user_id, (coalesce(calories_per_serving, 'Infinity'::double precision)), id);
-- list_recipes_by_total_time: quickest first, unknown last, keyset on (total_time, id).
CREATE INDEX recipes_user_total_time_idx
    ON recipes (user_id, (coalesce(total_time, 2147483647)), id);
-- list_recipes_*: ?ingredient= (containment on the lowercased ingredient names).
CREATE INDEX recipes_user_ingredients_idx
    ON recipes USING gin (user_id, ingredient_names jsonb_path_ops);
-- list_recipes_*: ?q= (name contains the text, in any letter case: trigrams).
CREATE INDEX recipes_user_name_trgm_idx ON recipes USING gin (user_id, name gin_trgm_ops);

CREATE TRIGGER recipes_touch_row BEFORE UPDATE ON recipes
    FOR EACH ROW EXECUTE FUNCTION touch_row();

-- The tag vocabulary is shared by every user (a small reference table: Citus would replicate it
-- to every node), so it has no user_id; which tags a user uses is in recipe_tags. Names are
-- lowercase, so "Vegan" and "vegan" are one tag.
CREATE TABLE tags (
    id   bigint GENERATED ALWAYS AS IDENTITY,
    name text   NOT NULL,
    CONSTRAINT tags_pkey PRIMARY KEY (id),
    CONSTRAINT tags_name_key UNIQUE (name),
    CONSTRAINT tags_name_format CHECK (
        char_length(name) BETWEEN 1 AND 50 AND name = lower(name) AND name = btrim(name)
        AND name ~ '[^[:space:]]'
    )
);

CREATE TABLE recipe_tags (
    user_id   bigint NOT NULL,
    recipe_id bigint NOT NULL,
    tag_id    bigint NOT NULL,
    -- get_recipe/list_recipes_* (a recipe's tags), set_recipe_tags, and the cascade from recipes.
    CONSTRAINT recipe_tags_pkey PRIMARY KEY (user_id, recipe_id, tag_id),
    CONSTRAINT recipe_tags_recipe_fkey FOREIGN KEY (user_id, recipe_id)
        REFERENCES recipes (user_id, id) ON DELETE CASCADE,
    CONSTRAINT recipe_tags_tag_fkey FOREIGN KEY (tag_id) REFERENCES tags (id)
);

-- list_recipes_* with ?tag= (a user's recipes with one tag) and list_tags (counts per tag).
CREATE INDEX recipe_tags_user_tag_idx ON recipe_tags (user_id, tag_id, recipe_id);

-- A favorite is the user's bookmark on their own recipe, not part of the recipe: adding or removing
-- one does not change the recipe's version.
CREATE TABLE favorite_recipes (
    user_id    bigint      NOT NULL,
    recipe_id  bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- add_favorite, remove_favorite, and the favorite flag of get_recipe/list_recipes_*.
    CONSTRAINT favorite_recipes_pkey PRIMARY KEY (user_id, recipe_id),
    CONSTRAINT favorite_recipes_recipe_fkey FOREIGN KEY (user_id, recipe_id)
        REFERENCES recipes (user_id, id) ON DELETE CASCADE
);

-- The seed's recipe_history: each time a recipe was generated or cooked, with what.
CREATE TABLE recipe_history (
    user_id             bigint      NOT NULL,
    id                  bigint      GENERATED ALWAYS AS IDENTITY,
    recipe_id           bigint      NOT NULL,
    generated_at        timestamptz NOT NULL DEFAULT now(),
    ingredients_used    jsonb       NOT NULL,
    preferences_applied jsonb       NOT NULL,
    CONSTRAINT recipe_history_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT recipe_history_recipe_fkey FOREIGN KEY (user_id, recipe_id)
        REFERENCES recipes (user_id, id) ON DELETE CASCADE,
    CONSTRAINT recipe_history_ingredients_used_array CHECK (jsonb_typeof(ingredients_used) = 'array'),
    CONSTRAINT recipe_history_preferences_applied_object CHECK (
        jsonb_typeof(preferences_applied) = 'object'
    ),
    CONSTRAINT recipe_history_size CHECK (
        octet_length(ingredients_used::text) + octet_length(preferences_applied::text) <= 65536
    )
);

-- list_recipe_history: a recipe's events, newest first, keyset on (generated_at, id); also the
-- cascade from recipes.
CREATE INDEX recipe_history_user_recipe_generated_idx
    ON recipe_history (user_id, recipe_id, generated_at DESC, id DESC);

-- A recipe as the API shows it: its columns, its tags (sorted) and whether it is a favorite.
-- Queries filter it on recipes' own columns, so the planner still uses recipes' indexes.
CREATE VIEW recipe_details AS
SELECT r.user_id, r.id, r.name, r.description, r.cuisine_type, r.difficulty, r.prep_time,
       r.cook_time, r.total_time, r.servings, r.calories_per_serving, r.protein_per_serving,
       r.carbs_per_serving, r.fat_per_serving, r.confidence_score, r.image_url, r.recipe_json,
       r.ingredient_names,
       ARRAY(
           SELECT t.name
           FROM recipe_tags AS rt
           JOIN tags AS t ON t.id = rt.tag_id
           WHERE rt.user_id = r.user_id AND rt.recipe_id = r.id
           ORDER BY t.name
       ) AS tags,
       EXISTS (
           SELECT FROM favorite_recipes AS f WHERE f.user_id = r.user_id AND f.recipe_id = r.id
       ) AS favorite,
       r.created_at, r.updated_at, r.version
FROM recipes AS r;
