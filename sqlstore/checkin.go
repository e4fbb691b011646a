package sqlstore

import (
	"database/sql"
	"errors"
	"time"

	"github.com/checkin-oss/checkin"
)

// checkinHooks serve the admin API's check-ins: a create is a manual
// check-in, a replace may close one by setting ToTime.
func (db *DB) checkinHooks() hooks[checkin.Checkin] {
	return hooks[checkin.Checkin]{
		networkRefs: []string{"CoworkerId"},
		prepare:     prepareCheckin,
		written:     db.checkinWritten,
		extra: func(tx *Tx, c *checkin.Checkin) ([]string, []any, error) {
			day, err := tx.businessDay(c.BusinessID, c.FromTime.Time)
			return []string{"business_day"}, []any{day}, err
		},
	}
}

// checkinWritten appends the events of an admin's create or replace: a
// check-in opened (created, or reopened by clearing ToTime) and one closed
// (created closed, or closed by setting ToTime).
func (db *DB) checkinWritten(tx *Tx, c, old *checkin.Checkin) error {
	wasOpen, isOpen := old != nil && old.ToTime == nil, c.ToTime == nil
	opened := old == nil || (!wasOpen && isOpen)
	closed := !isOpen && (old == nil || wasOpen)
	if !opened && !closed {
		return nil
	}
	stored, err := db.checkins.find(tx, c.ID, false)
	if err != nil {
		return err
	}
	if opened {
		if err := tx.appendEvent(checkin.EventCheckin, stored.BusinessID, stored); err != nil {
			return err
		}
	}
	if closed {
		return tx.checkoutEvents([]*checkin.Checkin{stored})
	}
	return nil
}

func prepareCheckin(tx *Tx, c, old *checkin.Checkin) error {
	b, err := tx.business(c.BusinessID)
	if err != nil {
		return err
	}
	if err := sameNetwork(tx, b, *c.CoworkerID); err != nil {
		return err
	}
	switch {
	case !c.FromTime.IsZero():
	case old != nil: // a replace that leaves FromTime out keeps when the stay began
		c.FromTime = old.FromTime
	default:
		c.FromTime = checkin.NewTime(tx.now)
	}
	if c.ToTime != nil && c.ToTime.Before(c.FromTime.Time) {
		return checkin.Invalid("ToTime", c.ToTime, "must not be before FromTime (%s)", c.FromTime.Format(time.RFC3339))
	}
	if c.LastActivity == nil {
		c.LastActivity = &c.FromTime
	}
	if old == nil || old.CoworkerID == nil || *old.CoworkerID != *c.CoworkerID || old.BusinessID != c.BusinessID {
		snap, err := snapshotCoworker(tx, *c.CoworkerID)
		if err != nil {
			return err
		}
		c.CoworkerFullName, c.TeamsAtTheTimeOfCheckin, c.TariffAtTheTimeOfCheckin = &snap.fullName, snap.teams, snap.tariff
		c.BusinessName = &b.Name
	}
	c.FromTimeLocal = checkin.LocalTimePtr(c.FromTime.Time, b.Location())
	if err := storableLocal("FromTime", c.FromTime, *c.FromTimeLocal); err != nil {
		return err
	}
	c.ToTimeLocal = nil
	if c.ToTime != nil {
		c.ToTimeLocal = checkin.LocalTimePtr(c.ToTime.Time, b.Location())
		return storableLocal("ToTime", *c.ToTime, *c.ToTimeLocal)
	}
	var open int64
	err = tx.QueryRow("SELECT id FROM checkins WHERE coworker_id = ? AND business_id + 0 = ? AND to_time IS NULL AND id <> ?", *c.CoworkerID, c.BusinessID, c.ID).Scan(&open)
	switch {
	case err == nil:
		return checkin.Errorf(checkin.ECONFLICT, "Coworker %d is already checked in at this location (Checkin %d); close that check-in first.", *c.CoworkerID, open)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	return nil
}

// storableLocal refuses a time whose wall-clock time at the location is
// outside the years 1 to 9999, which the database could store but not
// give back as a time.
func storableLocal(field string, t checkin.Time, local checkin.LocalTime) error {
	if y := local.Year(); y < 1 || y > 9999 {
		return checkin.Invalid(field, t, "must fall within the years 1 to 9999 at the location")
	}
	return nil
}

// sameNetwork checks that a coworker belongs to a location of b's network.
func sameNetwork(tx *Tx, b *checkin.Business, coworkerID int64) error {
	var network int64
	err := tx.QueryRow("SELECT b.network_id FROM coworkers c JOIN businesses b ON b.id = c.business_id WHERE c.id = ?", coworkerID).Scan(&network)
	if err != nil {
		return err
	}
	if network != b.NetworkID {
		return checkin.Invalid("CoworkerId", coworkerID, "Coworker %d belongs to a location of another network", coworkerID)
	}
	return nil
}

// snapshot is what a check-in record keeps of a member as they were at the
// time: name, teams and plan.
type snapshot struct {
	fullName string
	teams    *string
	tariff   *string
}

func snapshotCoworker(tx *Tx, coworkerID int64) (snapshot, error) {
	var s snapshot
	err := tx.QueryRow(`SELECT c.full_name, t.name, `+teamsOf+`
		FROM coworkers c LEFT JOIN tariffs t ON t.id = c.tariff_id WHERE c.id = ?`, coworkerID).
		Scan(&s.fullName, &s.tariff, &s.teams)
	return s, err
}

// teamsOf is the names of the teams of coworker c.id, in order.
const teamsOf = `(SELECT string_agg(tm.name, ',' ORDER BY tm.name) FROM coworker_teams ct JOIN teams tm ON tm.id = ct.team_id WHERE ct.coworker_id = c.id)`

// snapshotColumns writes a check-in's snapshot of a member in the insert
// itself, with no query of its own.
func snapshotColumns(coworkerID int64) []computedColumn {
	return []computedColumn{
		{"coworker_full_name", "(SELECT c.full_name FROM coworkers c WHERE c.id = ?)", []any{coworkerID}},
		{"teams_at_the_time_of_checkin", "(SELECT " + teamsOf + " FROM coworkers c WHERE c.id = ?)", []any{coworkerID}},
		{"tariff_at_the_time_of_checkin", "(SELECT t.name FROM coworkers c JOIN tariffs t ON t.id = c.tariff_id WHERE c.id = ?)", []any{coworkerID}},
	}
}

// businessDay returns the business day (as stored) that t falls in at a
// location.
func (tx *Tx) businessDay(businessID int64, t time.Time) (string, error) {
	b, err := tx.business(businessID)
	if err != nil {
		return "", err
	}
	s, err := tx.settings(businessID)
	if err != nil {
		return "", err
	}
	day, _ := checkin.BusinessDay(t, b.Location(), s.DailyCutOff)
	return checkin.FormatDay(day), nil
}
