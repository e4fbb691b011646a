package sqlstore

import (
	"context"
	"time"

	"github.com/checkin-oss/checkin"
)

// The console's reads that the admin API's lists do not offer.

// Settings returns a location's typed settings.
func (db *DB) Settings(ctx context.Context, businessID int64) (checkin.Settings, error) {
	var s checkin.Settings
	err := db.readOne(ctx, func(tx *Tx) (err error) {
		s, err = tx.settings(businessID)
		return err
	})
	return s, err
}

// OpenCheckins returns the check-ins of a location that are open now,
// most recent first.
func (db *DB) OpenCheckins(ctx context.Context, businessID int64) ([]*checkin.Checkin, error) {
	t := db.checkins
	var recs []*checkin.Checkin
	err := db.read(ctx, func(tx *Tx) (err error) {
		// business_day IS NOT NULL: see migration 0061 (postgres).
		recs, err = t.scan(tx, t.selects+" WHERE t.business_id = ? AND t.to_time IS NULL AND t.business_day IS NOT NULL ORDER BY t.from_time DESC, t.id DESC", businessID)
		if err != nil {
			return err
		}
		return t.finish(tx, recs, false)
	})
	return recs, err
}

// CheckinTimes returns when each check-in of a location began, from from
// (inclusive) to to (exclusive), in no particular order.
func (db *DB) CheckinTimes(ctx context.Context, businessID int64, from, to time.Time) ([]time.Time, error) {
	var times []time.Time
	err := db.read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT from_time FROM checkins WHERE business_id = ? AND from_time >= ? AND from_time < ?", businessID, from.UTC(), to.UTC())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var at checkin.Time
			if err := rows.Scan(&at); err != nil {
				return err
			}
			times = append(times, at.Time)
		}
		return rows.Err()
	})
	return times, err
}
