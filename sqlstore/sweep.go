package sqlstore

import (
	"cmp"
	"context"
	"time"

	"github.com/checkin-oss/checkin"
)

// Sweep is the background work of check-ins: it closes the check-ins left
// open when their location's business day ended (at the daily cut-off,
// AutoCheckout true), and ends token sessions whose minutes ran out. Every
// change is a conditional update, so several instances may sweep at once
// and each record is still closed once. It returns how many check-ins and
// token sessions it closed.
func (db *DB) Sweep(ctx context.Context) (int, error) {
	var businesses []*checkin.Business
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		// business_day IS NOT NULL: see migration 0061 (postgres).
		businesses, err = db.businesses.scan(tx, db.businesses.selects+" WHERE t.id IN (SELECT DISTINCT business_id FROM checkins WHERE to_time IS NULL AND business_day IS NOT NULL)")
		return err
	})
	if err != nil {
		return 0, err
	}
	// One location that cannot be swept (a bad row, a lost connection) is
	// logged and the sweep goes on to the others; the first error is
	// returned at the end.
	closed := 0
	var first error
	for _, b := range businesses {
		n, err := db.closeEndedDays(ctx, b)
		closed += n
		if err != nil && ctx.Err() == nil {
			db.Log.Error("sweep: a location's check-ins could not be closed", "location", b.WebAddress, "err", err)
			first = cmp.Or(first, err)
		}
	}
	n, err := db.endSpentTokens(ctx)
	return closed + n, cmp.Or(first, err)
}

// closeEndedDays closes a location's member check-ins from business days
// that have ended, each at the cut-off that ended its day.
func (db *DB) closeEndedDays(ctx context.Context, b *checkin.Business) (int, error) {
	closed := 0
	err := db.write(ctx, func(tx *Tx) error {
		closed = 0
		s, err := tx.settings(b.ID)
		if err != nil {
			return err
		}
		today, _ := checkin.BusinessDay(tx.now, b.Location(), s.DailyCutOff)
		rows, err := tx.Query(`SELECT DISTINCT business_day FROM checkins
			WHERE business_id = ? AND to_time IS NULL AND access_token_id IS NULL AND business_day < ?`, b.ID, checkin.FormatDay(today))
		if err != nil {
			return err
		}
		var days []string
		for rows.Next() {
			var day string
			if err := rows.Scan(&day); err != nil {
				rows.Close()
				return err
			}
			days = append(days, day)
		}
		rows.Close()
		for _, day := range days {
			d, err := time.Parse(time.DateOnly, day)
			if err != nil { // a bad row: its check-ins stay open, the others close
				db.Log.Error("sweep: a check-in has a business day that is not a date", "location", b.WebAddress, "business_day", day)
				continue
			}
			end := checkin.DayEnd(d, b.Location(), s.DailyCutOff)
			ended, err := db.checkins.changeStored(tx, `UPDATE checkins SET to_time = ?, to_time_local = ?, auto_checkout = TRUE, updated_on = ?
				WHERE business_id = ? AND business_day = ? AND to_time IS NULL AND access_token_id IS NULL`,
				checkin.NewTime(end), checkin.NewLocalTime(end, b.Location()), tx.now, b.ID, day)
			if err != nil {
				return err
			}
			if err := tx.checkoutEvents(ended); err != nil {
				return err
			}
			closed += len(ended)
		}
		return rows.Err()
	})
	return closed, err
}

// endSpentTokens ends the running token sessions whose minutes are used up,
// at the moment they ran out (or ValidTo, if sooner).
func (db *DB) endSpentTokens(ctx context.Context) (int, error) {
	ended := 0
	err := db.write(ctx, func(tx *Tx) error {
		ended = 0
		tokens, err := scanTokens(tx, tokenSelect+" WHERE t.running")
		if err != nil {
			return err
		}
		for _, t := range tokens {
			end := t.SessionEnd(tx.now)
			if t.LastAccess == nil || end.After(tx.now) {
				continue
			}
			ok, err := tx.stopTokenSession(&t, t.MinutesLeftAt(end), end)
			if err != nil {
				return err
			}
			if ok {
				ended++
			}
		}
		return nil
	})
	return ended, err
}
