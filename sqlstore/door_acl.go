package sqlstore

import (
	"slices"

	"github.com/checkin-oss/checkin"
)

// The AccessControlUpdate events (EVENTS.md): written in the same
// transaction as any change a door's allow-list entry depends on, so that
// bridges refresh their lists at once instead of polling often.

// accessChanged reports whether a save of a member changes what a door
// decides about them: a new member, or a new card, pincode, state, plan,
// location or network check-in.
func accessChanged(c, old *checkin.Coworker) bool {
	return old == nil || c.AccessCardID != old.AccessCardID || c.AccessPincode != old.AccessPincode || c.Active != old.Active ||
		!equalPtr(c.TariffID, old.TariffID) || c.BusinessID != old.BusinessID || c.AllowNetworkCheckin != old.AllowNetworkCheckin
}

// tariffAccessChanged reports whether a save of a plan changes what a door
// decides about its members.
func tariffAccessChanged(t, old *checkin.Tariff) bool {
	return old != nil && (t.Active != old.Active || !equalPtr(t.CheckinMonthLimit, old.CheckinMonthLimit) || !equalPtr(t.CheckinWeekLimit, old.CheckinWeekLimit))
}

func equalPtr[T comparable](a, b *T) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// coworkerAccessEvents writes the events of a member's save: at their
// location and, when they moved, at the one they left.
func coworkerAccessEvents(tx *Tx, c, old *checkin.Coworker) error {
	if !accessChanged(c, old) {
		return nil
	}
	if err := tx.accessControlUpdate(c.BusinessID, c.ID); err != nil {
		return err
	}
	if old != nil && old.BusinessID != c.BusinessID {
		return tx.accessControlUpdate(old.BusinessID, c.ID)
	}
	return nil
}

// tariffAccessEvents writes an event for each member on a plan whose
// state or limits changed.
func tariffAccessEvents(tx *Tx, t, old *checkin.Tariff) error {
	if !tariffAccessChanged(t, old) {
		return nil
	}
	rows, err := tx.Query("SELECT id, business_id FROM coworkers WHERE tariff_id = ? ORDER BY id", t.ID)
	if err != nil {
		return err
	}
	var members [][2]int64
	for rows.Next() {
		var m [2]int64
		if err := rows.Scan(&m[0], &m[1]); err != nil {
			rows.Close()
			return err
		}
		members = append(members, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range slices.Compact(members) {
		if err := tx.accessControlUpdate(m[1], m[0]); err != nil {
			return err
		}
	}
	return nil
}

// accessControlUpdate appends an AccessControlUpdate event for a member.
func (tx *Tx) accessControlUpdate(businessID, coworkerID int64) error {
	return tx.appendEvent(checkin.EventAccessControlUpdate, businessID, map[string]int64{"BusinessId": businessID, "CoworkerId": coworkerID})
}
