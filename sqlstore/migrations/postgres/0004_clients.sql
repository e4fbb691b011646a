-- Issue 13 (Nexudus clients). Keep it in step with ../sqlite/0004_clients.sql.

-- Coworker fields Nexudus clients send and read; a key fob is one more row
-- of coworker_cards, so that a card reader matches it as any card.
ALTER TABLE coworkers ADD COLUMN company_name TEXT NOT NULL DEFAULT '';
ALTER TABLE coworkers ADD COLUMN mobile_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE coworkers ADD COLUMN key_fob_number TEXT NOT NULL DEFAULT '';
ALTER TABLE coworkers ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE;

-- The locations a user is limited to, comma-separated ids; empty: all.
ALTER TABLE users ADD COLUMN businesses TEXT NOT NULL DEFAULT '';

-- Failed check-ins are history: deleting their location is refused, never
-- a reason to delete them.
ALTER TABLE failed_checkins DROP CONSTRAINT failed_checkins_business_id_fkey;
ALTER TABLE failed_checkins ADD CONSTRAINT failed_checkins_business_id_fkey FOREIGN KEY (business_id) REFERENCES businesses (id);
