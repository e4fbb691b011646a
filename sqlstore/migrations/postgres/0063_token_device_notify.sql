-- A token's device is its own kind of credential ('t'), apart from users'
-- devices ('d'): a MAC check-in asks for the tokens of a MAC, and most MACs
-- are users' devices and no token's, which a filter then answers with no
-- lookup (sqlstore/listen_postgres.go). The 'd' notification of 0062 stays
-- for the binaries before this one, which look token devices up as 'd',
-- while instances are replaced one at a time; a 'd' a newer filter holds
-- for a token's MAC only costs a lookup.
CREATE TRIGGER token_devices_notify_token AFTER INSERT OR UPDATE ON token_devices
    FOR EACH ROW EXECUTE FUNCTION notify_credential('t', 'mac');
