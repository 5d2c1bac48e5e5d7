-- 0009_recipes_cuisine_not_blank: a recipe's cuisine_type is not blank, as the API requires
-- (recipes_cuisine_type_length bounds only its length), so a bug in Python cannot store one.
-- Checking the existing rows reads the whole table under its lock; the API has refused blank
-- cuisines since 0003_recipes, so none fails.
-- depends: 0008_login_limits

ALTER TABLE recipes
    ADD CONSTRAINT recipes_cuisine_type_not_blank CHECK (cuisine_type ~ '[^[:space:]]');
