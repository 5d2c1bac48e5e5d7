DROP TABLE profiles;
DROP FUNCTION profiles_compute_targets();
DROP TABLE time_zones;
