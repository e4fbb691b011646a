-- Every credential a row is given (a card, a pincode, a device's MAC) is
-- sent to every instance's listener at the COMMIT, so that each keeps a
-- filter of the credentials rows hold (sqlstore/listen_postgres.go) and
-- refuses a guess no row holds without a lookup. The payload is the kind
-- ('c', 'p' or 'd') and the value; one too long for a notification is sent
-- as an empty payload, which has each listener read the tables again.
-- Deleted credentials are not sent: a filter that holds a credential no row
-- holds only costs a lookup.
CREATE FUNCTION notify_credential() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    value text := to_jsonb(NEW) ->> TG_ARGV[1];
BEGIN
    IF value IS NOT NULL AND value <> '' THEN
        PERFORM pg_notify('checkin_credentials:' || TG_TABLE_SCHEMA,
            CASE WHEN octet_length(value) < 7000 THEN TG_ARGV[0] || value ELSE '' END);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER coworker_cards_notify AFTER INSERT OR UPDATE ON coworker_cards
    FOR EACH ROW EXECUTE FUNCTION notify_credential('c', 'card');
CREATE TRIGGER coworkers_pincode_notify AFTER INSERT ON coworkers
    FOR EACH ROW EXECUTE FUNCTION notify_credential('p', 'access_pincode');
-- A profile saved with its pincode unchanged sends nothing.
CREATE TRIGGER coworkers_pincode_changed_notify AFTER UPDATE OF access_pincode ON coworkers
    FOR EACH ROW WHEN (NEW.access_pincode IS DISTINCT FROM OLD.access_pincode)
    EXECUTE FUNCTION notify_credential('p', 'access_pincode');
CREATE TRIGGER user_devices_notify AFTER INSERT OR UPDATE ON user_devices
    FOR EACH ROW EXECUTE FUNCTION notify_credential('d', 'mac');
CREATE TRIGGER token_devices_notify AFTER INSERT OR UPDATE ON token_devices
    FOR EACH ROW EXECUTE FUNCTION notify_credential('d', 'mac');
