-- A member's open check-in is found by checkins_open_member. With the
-- statistics of a morning, when few check-ins are open, PostgreSQL chose
-- instead to read all of checkins_open_business for each member, filtered:
-- every open check-in of the location at each check-in (auto_explain in
-- the load tool's card phase: 11 000 rows read for one). Its predicate now
-- names business_day, which a member's lookup does not, so that lookup
-- cannot use it; a location's queries name business_day IS NOT NULL
-- (always true: the column is NOT NULL) or compare business_day.
DROP INDEX checkins_open_business;
CREATE INDEX checkins_open_business ON checkins (business_id, business_day) WHERE to_time IS NULL AND business_day IS NOT NULL;
