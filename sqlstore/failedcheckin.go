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
	t := tx.db.failedCheckins
	b := base(f)
	b.UniqueID = checkin.NewUUID()
	b.CreatedOn, b.UpdatedOn = checkin.NewTime(tx.now), checkin.NewTime(tx.now)
	if f.CheckinAttemptTime.IsZero() {
		f.CheckinAttemptTime = checkin.NewTime(tx.now)
	}
	cols, vals, err := t.values(tx, f)
	if err != nil {
		return err
	}
	b.ID, err = tx.insert("INSERT INTO failed_checkins ("+joinColumns(cols)+") VALUES "+marks(len(cols)), vals...)
	return err
}
