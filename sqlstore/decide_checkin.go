package sqlstore

import (
	"time"

	"github.com/checkin-oss/checkin"
)

// The check-in records of decisions: one open check-in per member and
// location (a partial unique index), closed by check-outs, toggles,
// disconnects and the daily cut-off.

const openCheckinSelect = "SELECT id, from_time, business_day, coalesce(mac_addresses, ''), coalesce(last_activity, from_time) FROM checkins"

func (tx *decisionTx) openCheckin(where string, args ...any) (*checkin.OpenCheckin, error) {
	var c checkin.OpenCheckin
	var from, last checkin.Time
	err := tx.QueryRow(openCheckinSelect+" WHERE "+where+" AND to_time IS NULL", args...).Scan(&c.ID, &from, &c.BusinessDay, &c.MacAddresses, &last)
	c.FromTime, c.LastActivity = from.Time, last.Time
	return one(&c, err)
}

func (tx *decisionTx) OpenCheckin(coworkerID, businessID int64) (*checkin.OpenCheckin, error) {
	if r, ok := tx.readOf(coworkerID); ok && r.member.BusinessID == businessID {
		if r.open == nil {
			return nil, nil
		}
		open := *r.open
		return &open, nil
	}
	return tx.openCheckin("coworker_id = ? AND business_id = ?", coworkerID, businessID)
}

func (tx *decisionTx) OpenTokenCheckin(tokenID int64) (*checkin.OpenCheckin, error) {
	return tx.openCheckin("access_token_id = ?", tokenID)
}

func (tx *decisionTx) DaysCheckedIn(coworkerID int64, first, last string) ([]string, error) {
	rows, err := tx.Query(`SELECT DISTINCT business_day FROM checkins
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

func (tx *decisionTx) StartCheckin(c *checkin.Checkin, tokenID *int64) error {
	if err := tx.write(); err != nil {
		return err
	}
	b, err := tx.business(c.BusinessID)
	if err != nil {
		return err
	}
	c.BusinessName = &b.Name
	if c.CoworkerID != nil {
		snap, err := snapshotCoworker(tx.Tx, *c.CoworkerID)
		if err != nil {
			return err
		}
		c.CoworkerFullName, c.TeamsAtTheTimeOfCheckin, c.TariffAtTheTimeOfCheckin = &snap.fullName, snap.teams, snap.tariff
	}
	var cols []string
	var vals []any
	if tokenID != nil {
		cols, vals = []string{"access_token_id"}, []any{*tokenID}
	}
	if err := tx.db.checkins.insertStored(tx.Tx, c, cols, vals); err != nil {
		return err
	}
	return tx.appendEvent(checkin.EventCheckin, c.BusinessID, c)
}

func (tx *decisionTx) TouchCheckin(id int64, macs string) error {
	if err := tx.write(); err != nil {
		return err
	}
	_, err := tx.Exec("UPDATE checkins SET last_activity = ?, mac_addresses = ?, updated_on = ? WHERE id = ?",
		tx.now, checkin.StringPtr(macs), tx.now, id)
	return err
}

func (tx *decisionTx) CloseCheckin(id int64, at time.Time, auto bool) error {
	if err := tx.write(); err != nil {
		return err
	}
	var businessID int64
	if err := tx.QueryRow("SELECT business_id FROM checkins WHERE id = ?", id).Scan(&businessID); err != nil {
		return err
	}
	b, err := tx.business(businessID)
	if err != nil {
		return err
	}
	closed, err := tx.db.checkins.changeStored(tx.Tx, "UPDATE checkins SET to_time = ?, to_time_local = ?, auto_checkout = ?, updated_on = ? WHERE id = ? AND to_time IS NULL",
		checkin.NewTime(at), checkin.NewLocalTime(at, b.Location()), auto, tx.now, id)
	if err != nil {
		return err
	}
	return tx.checkoutEvents(closed)
}

func (tx *decisionTx) CloseMemberCheckins(userIDs []int64, businessID int64, at time.Time) ([]checkin.ClosedCheckin, error) {
	rows, err := tx.Query(`SELECT ch.id, cw.id, cw.full_name FROM checkins ch JOIN coworkers cw ON cw.id = ch.coworker_id
		WHERE cw.user_id IN `+marks(len(userIDs))+` AND ch.business_id = ? AND ch.to_time IS NULL ORDER BY ch.id`,
		append(ids(userIDs), businessID)...)
	if err != nil {
		return nil, err
	}
	var closed []checkin.ClosedCheckin
	var checkinIDs []int64
	for rows.Next() {
		var id int64
		var c checkin.ClosedCheckin
		if err := rows.Scan(&id, &c.CoworkerID, &c.FullName); err != nil {
			rows.Close()
			return nil, err
		}
		closed, checkinIDs = append(closed, c), append(checkinIDs, id)
	}
	rows.Close()
	for _, id := range checkinIDs {
		if err := tx.CloseCheckin(id, at, false); err != nil {
			return nil, err
		}
	}
	return closed, rows.Err()
}
