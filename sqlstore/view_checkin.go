package sqlstore

import (
	"github.com/checkin-oss/checkin"
)

// The check-ins a decision reads: one open check-in per member and location
// (a partial unique index).

const openCheckinSelect = "SELECT id, from_time, business_day, coalesce(mac_addresses, ''), coalesce(last_activity, from_time) FROM checkins"

func (v *view) openCheckin(where string, args ...any) (*checkin.OpenCheckin, error) {
	var c checkin.OpenCheckin
	var from, last checkin.Time
	err := v.QueryRow(openCheckinSelect+" WHERE "+where+" AND to_time IS NULL", args...).Scan(&c.ID, &from, &c.BusinessDay, &c.MacAddresses, &last)
	c.FromTime, c.LastActivity = from.Time, last.Time
	return one(&c, err)
}

func (v *view) OpenCheckin(coworkerID, businessID int64) (*checkin.OpenCheckin, error) {
	if r, ok := v.readOf(coworkerID); ok && r.member.BusinessID == businessID {
		if r.open == nil {
			return nil, nil
		}
		open := *r.open
		return &open, nil
	}
	v.uses(coworkerID)
	return v.openCheckin("coworker_id = ? AND business_id + 0 = ?", coworkerID, businessID) // + 0: see memberSelect
}

func (v *view) OpenTokenCheckin(tokenID int64) (*checkin.OpenCheckin, error) {
	v.untracked = true // the memo follows members' check-ins, not tokens'
	return v.openCheckin("access_token_id = ?", tokenID)
}

func (v *view) OpenCheckinsOf(userIDs []int64, businessID int64) ([]checkin.MemberCheckin, error) {
	v.untracked = true // a member with no check-in now is not among those read
	// business_id + 0: see memberSelect.
	rows, err := v.Query(`SELECT ch.id, cw.id, cw.full_name FROM checkins ch JOIN coworkers cw ON cw.id = ch.coworker_id
		WHERE cw.user_id IN `+marks(len(userIDs))+` AND ch.business_id + 0 = ? AND ch.to_time IS NULL ORDER BY ch.id`,
		append(ids(userIDs), businessID)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var open []checkin.MemberCheckin
	for rows.Next() {
		var c checkin.MemberCheckin
		if err := rows.Scan(&c.ID, &c.CoworkerID, &c.FullName); err != nil {
			return nil, err
		}
		open = append(open, c)
	}
	return open, rows.Err()
}

func (v *view) DaysCheckedIn(coworkerID int64, first, last string) ([]string, error) {
	v.uses(coworkerID)
	rows, err := v.Query(`SELECT DISTINCT business_day FROM checkins
		WHERE coworker_id = ? AND counts_towards_plan_limits AND business_day >= ? AND business_day <= ?`, coworkerID, first, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var days []string
	for rows.Next() {
		var day string
		if err := rows.Scan(&day); err != nil {
			return nil, err
		}
		days = append(days, day)
	}
	return days, rows.Err()
}
