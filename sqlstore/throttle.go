package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
)

// ThrottleView reads a location's settings (cached) and the states of the
// keys in one indexed query, outside a transaction (no BEGIN and COMMIT); it
// writes nothing, so that a check-in that succeeds costs no write for
// throttling.
//
// Keys that the key filter does not hold have no row (the memo's on SQLite,
// memo.go; the listener's on PostgreSQL, listen_postgres.go): a check-in
// whose keys have never failed costs no query.
func (db *DB) ThrottleView(ctx context.Context, businessID int64, keys []string) (checkin.ThrottleView, error) {
	if v, ok := db.keptThrottleView(ctx, businessID, keys); ok {
		return v, nil
	}
	v := checkin.ThrottleView{States: map[string]checkin.ThrottleState{}}
	err := db.readOne(ctx, func(tx *Tx) error {
		v.Now = tx.now
		var err error
		if v.Settings, err = tx.settings(businessID); err != nil || len(keys) == 0 {
			return err
		}
		args := make([]any, len(keys))
		for i, k := range keys {
			args[i] = k
		}
		rows, err := tx.Query("SELECT name, failures, window_start, last_failure FROM throttle_keys WHERE name IN (?"+
			strings.Repeat(", ?", len(keys)-1)+")", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			var s checkin.ThrottleState
			var start, last int64
			if err := rows.Scan(&name, &s.Failures, &start, &last); err != nil {
				return err
			}
			s.WindowStart, s.LastFailure = time.UnixMicro(start).UTC(), time.UnixMicro(last).UTC()
			v.States[name] = s
		}
		return rows.Err()
	})
	return v, err
}

// keptThrottleView is the view from the location cache and the key filter
// alone, when none of the keys has a row.
func (db *DB) keptThrottleView(ctx context.Context, businessID int64, keys []string) (checkin.ThrottleView, bool) {
	filter := db.throttleKeys()
	if filter == nil || db.closed.Load() {
		return checkin.ThrottleView{}, false
	}
	for _, k := range keys {
		if filter.mayHold(k) {
			return checkin.ThrottleView{}, false
		}
	}
	tx := db.newTx(ctx, nil)
	settings, err := tx.settings(businessID)
	if err != nil {
		return checkin.ThrottleView{}, false
	}
	return checkin.ThrottleView{Now: tx.now, Settings: settings, States: map[string]checkin.ThrottleState{}}, true
}

// throttleKeys is the filter of the throttling keys with a row, or nil
// when there is none to trust.
func (db *DB) throttleKeys() *keyFilter {
	switch {
	case db.memo != nil:
		return db.memo.keys.Load()
	case db.listener != nil:
		return db.listener.keys.filter.Load()
	}
	return nil
}

// AddThrottleFailures counts a failure against each key outside a check-in
// decision (a refused password grant), in a write of its own, by the same
// upserts as a decision.
func (db *DB) AddThrottleFailures(ctx context.Context, fails []checkin.ThrottleFailure) error {
	if len(fails) == 0 {
		return nil
	}
	return db.write(ctx, func(tx *Tx) error { return tx.addThrottleFailures(fails) })
}

// CountThrottleKeys counts the keys in a range of names that failed since
// a time, outside any transaction.
func (db *DB) CountThrottleKeys(ctx context.Context, first, last string, since time.Time) (int, error) {
	var n int
	err := db.readOne(ctx, func(tx *Tx) error {
		return tx.QueryRow("SELECT count(*) FROM throttle_keys WHERE name >= ? AND name < ? AND last_failure >= ?",
			first, last, since.UnixMicro()).Scan(&n)
	})
	return n, err
}

// PurgeThrottle deletes the keys whose windows and delays have all ended.
func (db *DB) PurgeThrottle(ctx context.Context) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("DELETE FROM throttle_keys WHERE expires_at < ?", tx.now.UnixMicro())
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if db.listener != nil {
			return tx.notifyPurge() // every instance's filter forgets the keys purged
		}
		if db.writer == nil || db.writer.changes == nil {
			return nil
		}
		return db.writer.changes.rebuildKeys(tx) // the filter forgets the keys purged
	})
	return int(n), err
}
