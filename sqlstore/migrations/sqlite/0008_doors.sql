-- Doors (DOORS.md): door controllers with a key stored as a SHA-256 hash,
-- the Ed25519 keys that sign their allow-lists, and the offline events they
-- uploaded, each kept once per door by the EventId the door made.
CREATE TABLE doors (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id   TEXT NOT NULL UNIQUE,
    created_on  TIMESTAMP NOT NULL,
    updated_on  TIMESTAMP NOT NULL,
    updated_by  TEXT,
    system_id   TEXT,
    business_id INTEGER NOT NULL REFERENCES businesses (id),
    name        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    last_seen   TIMESTAMP,
    key_hash    TEXT NOT NULL UNIQUE
);
CREATE INDEX doors_business ON doors (business_id);

CREATE TABLE door_signing_keys (
    kid         TEXT PRIMARY KEY,
    private_key TEXT NOT NULL,
    created_on  TIMESTAMP NOT NULL,
    retired_on  TIMESTAMP
);
-- One key signs at a time: two instances starting at once make one.
CREATE UNIQUE INDEX door_signing_keys_current ON door_signing_keys ((retired_on IS NULL)) WHERE retired_on IS NULL;

CREATE TABLE door_events (
    door_id     INTEGER NOT NULL REFERENCES doors (id) ON DELETE CASCADE,
    event_id    TEXT NOT NULL,
    occurred_on TIMESTAMP NOT NULL,
    opened      BOOLEAN NOT NULL,
    recorded_on TIMESTAMP NOT NULL,
    PRIMARY KEY (door_id, event_id)
);

ALTER TABLE checkins ADD COLUMN door_id INTEGER REFERENCES doors (id) ON DELETE SET NULL;
ALTER TABLE failed_checkins ADD COLUMN door_id INTEGER REFERENCES doors (id) ON DELETE SET NULL;
