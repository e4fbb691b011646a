-- The console's list of failed check-ins filtered by method (Source): the
-- rows of one location, one method and a time range, newest first, without
-- reading the other methods' rows.
CREATE INDEX failed_checkins_business_source_time ON failed_checkins (business_id, source, checkin_attempt_time);
