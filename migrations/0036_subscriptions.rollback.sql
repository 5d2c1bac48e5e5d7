DROP TABLE subscriptions;
DROP FUNCTION subscription_entitles(text, timestamptz, timestamptz);
