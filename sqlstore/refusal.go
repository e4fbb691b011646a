package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/throttle"
)

// refusal is what a refused check-in writes: its FailedCheckins and its
// throttling failures. These rows are only added (a
// throttling key's count only moves on), and nothing in the decision reads
// them back, so on SQLite the writer adds the rows of all the refusals in a
// batch together, in a few multi-row statements (writer.addTogether),
// rather than in a savepoint and two statements per refusal.
type refusal struct {
	ctx       context.Context // the request's: whose the FailedCheckins are
	failed    []*checkin.FailedCheckin
	throttled []checkin.ThrottleFailure
}

// refusalOf is the refusal of a decision whose effects only refuse.
func refusalOf(ctx context.Context, effects []checkin.Effect) *refusal {
	r := &refusal{ctx: ctx}
	for _, e := range effects {
		switch e := e.(type) {
		case checkin.RecordFailedCheckin:
			r.failed = append(r.failed, e.FailedCheckin)
		case checkin.CountFailures:
			r.throttled = append(r.throttled, e.Failures...)
		}
	}
	return r
}

// writeRefusal stores r with the other refusals of a batch: SQLite's
// writer's, or PostgreSQL's refusal batcher's (refusal_postgres.go).
func (db *DB) writeRefusal(r *refusal) error {
	add := func(tx *Tx) error { return tx.addRefusals([]*refusal{r}) }
	switch {
	case db.closed.Load():
		return db.mapError(errClosed)
	case db.dialect == sqliteDialect:
		return db.mapError(db.writer.submit(&job{ctx: r.ctx, fn: add, refusal: r}))
	}
	return db.mapError(db.refusals.submit(&job{ctx: r.ctx, fn: add, refusal: r}))
}

// addRefusals inserts the FailedCheckins of rs (each written by its own
// request) and counts their throttling failures.
func (tx *Tx) addRefusals(rs []*refusal) error {
	var cols []string
	var rows [][]any
	var fails []checkin.ThrottleFailure
	for _, r := range rs {
		by := *tx
		by.ctx = r.ctx
		for _, f := range r.failed {
			if err := tx.snapshotFailed(f); err != nil {
				return err
			}
			tx.stampAttempt(f)
			c, v, err := tx.db.failedCheckins.newRow(&by, f)
			if err != nil {
				return err
			}
			if cols != nil && !slices.Equal(c, cols) { // one statement takes rows of one shape
				return fmt.Errorf("sqlstore: FailedCheckin rows of different columns: %v and %v", cols, c)
			}
			cols, rows = c, append(rows, v)
		}
		fails = append(fails, r.throttled...)
	}
	head := "INSERT INTO failed_checkins (" + strings.Join(cols, ", ") + ") VALUES "
	err := eachChunk(rows, func(values string, args []any) error {
		stored, err := tx.db.failedCheckins.changeStored(tx, head+values, args...)
		for _, f := range stored {
			if err == nil {
				err = tx.appendEvent(checkin.EventCheckinFailed, f.BusinessID, f)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	return tx.addThrottleFailures(fails)
}

// insertMany runs head, the rows' values and tail as few statements
// (eachChunk); tailArgs follow each statement's rows' values.
func (tx *Tx) insertMany(head, tail string, tailArgs []any, rows [][]any) error {
	return eachChunk(rows, func(values string, args []any) error {
		_, err := tx.Exec(head+values+tail, append(args, tailArgs...)...)
		return err
	})
}

// eachChunk hands fn the rows in order, as VALUES lists and their
// arguments: their numbers of rows are powers of two, up to 64, so that a
// connection prepares at most seven statements for one head and tail
// however many rows come.
func eachChunk(rows [][]any, fn func(values string, args []any) error) error {
	if len(rows) == 0 {
		return nil
	}
	return eachChunkOf(marks(len(rows[0])), rows, fn)
}

// eachChunkOf is eachChunk with each row's VALUES item written as row.
func eachChunkOf(row string, rows [][]any, fn func(values string, args []any) error) error {
	for len(rows) > 0 {
		n := 64
		for n > len(rows) {
			n /= 2
		}
		args := make([]any, 0, n*len(rows[0]))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if err := fn(strings.TrimSuffix(strings.Repeat(row+", ", n), ", "), args); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// addThrottleFailures counts a failure against each key, by the rule of
// throttle.FailSQL: a key named several times is one row, with as many
// failures. Keys of one limit go in multi-row upserts, in the order of
// their names, so that two PostgreSQL transactions never wait for each
// other's rows in opposite orders.
func (tx *Tx) addThrottleFailures(fails []checkin.ThrottleFailure) error {
	type counted struct {
		checkin.ThrottleFailure
		n int
	}
	var keys []counted
	for _, f := range fails {
		if i := slices.IndexFunc(keys, func(k counted) bool { return k.ThrottleFailure == f }); i >= 0 {
			keys[i].n++
			continue
		}
		keys = append(keys, counted{f, 1})
	}
	slices.SortFunc(keys, func(a, b counted) int {
		return cmp.Or(cmp.Compare(a.Window, b.Window), cmp.Compare(a.Keep, b.Keep), strings.Compare(a.Key, b.Key))
	})
	if tx.db.listener != nil { // PostgreSQL: tell every instance's filter
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.Key
		}
		if err := tx.notifyKeys(names); err != nil {
			return err
		}
	}
	now := tx.now.UnixMicro()
	upsert := " ON CONFLICT (name) DO UPDATE SET " + throttle.FailSQL("throttle_keys")
	for len(keys) > 0 {
		n := 1
		for n < len(keys) && keys[n].Window == keys[0].Window && keys[n].Keep == keys[0].Keep {
			n++
		}
		rows := make([][]any, n)
		for i, k := range keys[:n] {
			rows[i] = []any{k.Key, k.n, now, now, now + k.Keep.Microseconds()}
		}
		ended := now - keys[0].Window.Microseconds()
		err := tx.insertMany("INSERT INTO throttle_keys (name, failures, window_start, last_failure, expires_at) VALUES ", upsert,
			[]any{ended, ended}, rows)
		if err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}
