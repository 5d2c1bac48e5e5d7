DROP TABLE login_addresses;
DROP TABLE login_failures;
