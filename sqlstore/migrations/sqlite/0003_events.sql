-- Events: one row per check-in opened, check-in closed, FailedCheckin
-- recorded or allow-list change, written in the same transaction as the
-- change it reports (EVENTS.md). seq gives the order; id is the UUID that
-- deliveries and the live stream carry; record is the JSON the API shows.
CREATE TABLE events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    occurred_on  TIMESTAMP NOT NULL,
    business_id  INTEGER NOT NULL,
    record       TEXT NOT NULL
);
CREATE INDEX events_business_seq ON events (business_id, seq);
CREATE INDEX events_occurred ON events (occurred_on);
