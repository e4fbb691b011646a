-- Events in an order a reader can follow without missing one. Transactions
-- on PostgreSQL commit in any order, so a plain sequence could give an
-- event a number below one already read. Instead each event's seq is its
-- transaction's id times 2^20, plus a counter: a reader that returns only
-- events of transactions older than every one still running (its
-- snapshot's xmin, see EventsAfter) never sees a smaller seq appear later.
CREATE SEQUENCE events_ordinal MINVALUE 0 MAXVALUE 1048575 CYCLE;
ALTER TABLE events ALTER COLUMN seq DROP IDENTITY;
ALTER TABLE events ALTER COLUMN seq SET DEFAULT ((pg_current_xact_id()::text::bigint << 20) | nextval('events_ordinal'));
