-- Issue 13 (Nexudus clients). Keep it in step with ../postgres/0004_clients.sql.

-- Coworker fields Nexudus clients send and read; a key fob is one more row
-- of coworker_cards, so that a card reader matches it as any card.
ALTER TABLE coworkers ADD COLUMN company_name TEXT NOT NULL DEFAULT '';
ALTER TABLE coworkers ADD COLUMN mobile_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE coworkers ADD COLUMN key_fob_number TEXT NOT NULL DEFAULT '';
ALTER TABLE coworkers ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE;

-- The locations a user is limited to, comma-separated ids; empty: all.
ALTER TABLE users ADD COLUMN businesses TEXT NOT NULL DEFAULT '';

-- Failed check-ins are history: deleting their location is refused, never
-- a reason to delete them. SQLite cannot change a foreign key: the table is
-- made again without ON DELETE CASCADE (nothing refers to it).
CREATE TABLE failed_checkins_new (
    id                            INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id                     TEXT NOT NULL UNIQUE,
    created_on                    TIMESTAMP NOT NULL,
    updated_on                    TIMESTAMP NOT NULL,
    updated_by                    TEXT,
    system_id                     TEXT,
    coworker_id                   INTEGER REFERENCES coworkers (id) ON DELETE SET NULL,
    coworker_full_name            TEXT,
    business_id                   INTEGER NOT NULL REFERENCES businesses (id),
    business_name                 TEXT,
    checkin_attempt_time          TIMESTAMP NOT NULL,
    source                        INTEGER NOT NULL,
    mac_addresses                 TEXT,
    teams_at_the_time_of_checkin  TEXT,
    tariff_at_the_time_of_checkin TEXT,
    description                   TEXT,
    checkin_attempt_time_local    TIMESTAMP
);
INSERT INTO failed_checkins_new (id, unique_id, created_on, updated_on, updated_by, system_id, coworker_id, coworker_full_name, business_id, business_name, checkin_attempt_time, source, mac_addresses, teams_at_the_time_of_checkin, tariff_at_the_time_of_checkin, description, checkin_attempt_time_local)
    SELECT id, unique_id, created_on, updated_on, updated_by, system_id, coworker_id, coworker_full_name, business_id, business_name, checkin_attempt_time, source, mac_addresses, teams_at_the_time_of_checkin, tariff_at_the_time_of_checkin, description, checkin_attempt_time_local FROM failed_checkins;
DROP TABLE failed_checkins;
ALTER TABLE failed_checkins_new RENAME TO failed_checkins;
CREATE INDEX failed_checkins_business_time ON failed_checkins (business_id, checkin_attempt_time);
CREATE INDEX failed_checkins_time ON failed_checkins (checkin_attempt_time);
CREATE INDEX failed_checkins_coworker ON failed_checkins (coworker_id);
