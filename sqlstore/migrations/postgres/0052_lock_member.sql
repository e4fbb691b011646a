-- A decision's first read of a member (sqlstore/view_member.go, Member):
-- lock the member's row, then read the member with their plan and their
-- open check-in at their own location, in one call instead of two
-- statements. The read runs after the lock, as a statement of its own, so
-- it sees what a transaction that held the lock committed (a SELECT ...
-- FOR UPDATE that waits reads joined rows as they were when it began).
-- The columns are memberSelect's: change both together.
CREATE FUNCTION checkin_lock_member(member BIGINT) RETURNS TABLE (
    id BIGINT, user_id BIGINT, business_id BIGINT, full_name TEXT, email TEXT, access_pincode TEXT, active BOOLEAN,
    allow_network_checkin BOOLEAN, tariff_id BIGINT, tariff_name TEXT, tariff_active BOOLEAN,
    checkin_month_limit INTEGER, checkin_week_limit INTEGER,
    checkin_id BIGINT, from_time TIMESTAMPTZ, business_day TEXT, mac_addresses TEXT, last_activity TIMESTAMPTZ
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM 1 FROM coworkers c WHERE c.id = member FOR UPDATE;
    RETURN QUERY SELECT c.id, c.user_id, c.business_id, c.full_name, c.email, c.access_pincode, c.active,
        c.allow_network_checkin, c.tariff_id, t.name, t.active, t.checkin_month_limit, t.checkin_week_limit,
        ch.id, ch.from_time, ch.business_day, coalesce(ch.mac_addresses, ''), coalesce(ch.last_activity, ch.from_time)
    FROM coworkers c LEFT JOIN tariffs t ON t.id = c.tariff_id
    LEFT JOIN checkins ch ON ch.coworker_id = c.id AND ch.business_id + 0 = c.business_id AND ch.to_time IS NULL AND ch.coworker_id IS NOT NULL
    WHERE c.id = member;
END $$;
