-- A stopped session that was its holder's last at the location, whose
-- check-out by the engine is not stored yet: set with stopped_on, cleared
-- once the check-out is. Its Accounting-Request is answered only then, so
-- the client resends it and the check-out is tried again.
ALTER TABLE radius_sessions ADD COLUMN checkout_pending BOOLEAN NOT NULL DEFAULT FALSE;
