ALTER TABLE recipes DROP CONSTRAINT recipes_cuisine_type_not_blank;
