package sqlstore

import (
	"context"

	"github.com/checkin-oss/checkin"
)

// AddFailedCheckin writes a FailedCheckin record as it is: the check-in
// endpoint writes them inside its decisions; this is for imports, tests and
// the load tool's seeding.
func (db *DB) AddFailedCheckin(ctx context.Context, f *checkin.FailedCheckin) (int64, error) {
	err := db.write(ctx, func(tx *Tx) error { return tx.addFailedCheckin(f) })
	return f.ID, err
}

// addFailedCheckin inserts f, filling its common fields.
func (tx *Tx) addFailedCheckin(f *checkin.FailedCheckin) error {
	tx.stampAttempt(f)
	if err := tx.db.failedCheckins.insertStored(tx, f, nil, nil); err != nil {
		return err
	}
	return tx.appendEvent(checkin.EventCheckinFailed, f.BusinessID, f)
}

// stampAttempt gives f the transaction's time as its attempt time, unless
// the caller gave one.
func (tx *Tx) stampAttempt(f *checkin.FailedCheckin) {
	if f.CheckinAttemptTime.IsZero() {
		f.CheckinAttemptTime = checkin.NewTime(tx.now)
	}
}
