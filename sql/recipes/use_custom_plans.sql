-- use_custom_plans: until the transaction ends, plan each statement for the values it is run with
-- instead of reusing a generic plan; run before a recipe search (q, ingredient, tag, favorite=true)
-- so that its index is chosen for this user and these values. A setting: no table, no index.
SET LOCAL plan_cache_mode = force_custom_plan;
