package sqlstore

import (
	"context"

	"github.com/checkin-oss/checkin"
)

// For the tests of package sqlstore_test.

// WriteForTest runs fn in a write transaction, as the store's own writes run.
func (db *DB) WriteForTest(ctx context.Context, fn func(*Tx) error) error { return db.write(ctx, fn) }

// AddFailedCheckinForTest inserts f and appends its event.
func (tx *Tx) AddFailedCheckinForTest(f *checkin.FailedCheckin) error { return tx.addFailedCheckin(f) }

// FlushEventsForTest inserts the events appended so far.
func (tx *Tx) FlushEventsForTest() error { return tx.flushEvents() }
