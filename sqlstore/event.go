package sqlstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/checkin-oss/checkin"
)

// Events (EVENTS.md) are written in the same transaction as the change
// they report. Code that changes a record calls tx.appendEvent; the
// transaction keeps the events and inserts them all in one statement just
// before it commits (PostgreSQL) or releases its savepoint (SQLite's
// writer), so a change rolled back takes its events with it.

// pendingEvent is an event appended to a transaction, not yet inserted.
type pendingEvent struct {
	id, kind   string
	businessID int64
	record     []byte
}

// appendEvent adds an event of kind for a record (marshalled now, as the
// admin API shows it) at a location, to be stored with the transaction.
func (tx *Tx) appendEvent(kind string, businessID int64, record any) error {
	b, err := json.Marshal(record)
	if err != nil {
		return fmt.Errorf("event %s: %w", kind, err)
	}
	*tx.events = append(*tx.events, pendingEvent{id: checkin.NewUUID(), kind: kind, businessID: businessID, record: b})
	return nil
}

// flushEvents inserts the events appended so far, in order.
func (tx *Tx) flushEvents() error {
	pending := *tx.events
	if len(pending) == 0 {
		return nil
	}
	*tx.events = pending[:0]
	rows := make([][]any, len(pending))
	at := checkin.NewTime(tx.now)
	for i, e := range pending {
		rows[i] = []any{e.id, e.kind, at, e.businessID, string(e.record), e.businessID}
	}
	return eachChunkOf(eventRow, rows, func(values string, args []any) error {
		_, err := tx.Exec("INSERT INTO events (id, kind, occurred_on, business_id, record, dispatched) VALUES "+values, args...)
		return err
	})
}

// eventRow is an event's VALUES item. An event of a location no active
// webhook listens to is stored already dispatched: the dispatcher then has
// nothing to mark, and the row never enters the index of events waiting.
// A webhook made after the transaction's statement began receives only
// later events.
const eventRow = "(?, ?, ?, ?, ?, NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.business_id = ? AND w.active))"

// errEventsInRead catches a change made in a read-only transaction.
var errEventsInRead = errors.New("sqlstore: events appended in a read")

// maxEvents bounds one EventsAfter answer.
const maxEvents = 1000

// EventsAfter returns, in order, up to limit stored events with a sequence
// number above afterSeq, at the given locations (all when businessIDs is
// empty). Once an event is returned, no event with a smaller sequence
// number is ever stored: a reader that goes on from the last Seq it saw
// misses none. On PostgreSQL, where transactions commit in any order,
// an event is returned once every transaction older than its own has ended
// (see migrations/postgres/0009_events_order.sql).
func (db *DB) EventsAfter(ctx context.Context, afterSeq int64, businessIDs []int64, limit int) ([]checkin.Event, error) {
	if limit <= 0 || limit > maxEvents {
		limit = maxEvents
	}
	query := "SELECT seq, id, kind, occurred_on, business_id, record FROM events WHERE seq > ?"
	args := []any{afterSeq}
	if db.dialect == postgresDialect {
		query += " AND seq < (pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 20)"
	}
	if len(businessIDs) > 0 {
		query += " AND business_id IN " + marks(len(businessIDs))
		args = append(args, ids(businessIDs)...)
	}
	query += " ORDER BY seq LIMIT ?"
	args = append(args, limit)
	var out []checkin.Event
	err := db.readOne(ctx, func(tx *Tx) error {
		rows, err := tx.Query(query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e checkin.Event
			var at checkin.Time
			var record string
			if err := rows.Scan(&e.Seq, &e.ID, &e.Kind, &at, &e.BusinessID, &record); err != nil {
				return err
			}
			e.Time, e.Record = at.Time, json.RawMessage(record)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// insertStored inserts rec's row as insertRow does, and reads it back as
// stored (as the admin API shows it) in the same statement. A column of
// computed takes its SQL expression instead of rec's value.
func (t *table[T]) insertStored(tx *Tx, rec *T, cols []string, vals []any, computed ...computedColumn) error {
	query, args, err := t.insertQuery(tx, rec, cols, vals, computed...)
	if err != nil {
		return err
	}
	recs, err := t.changeStored(tx, query, args...)
	if err != nil {
		return err
	}
	return t.storedOne(rec, recs)
}

// insertQuery is insertStored's INSERT, without its RETURNING.
func (t *table[T]) insertQuery(tx *Tx, rec *T, cols []string, vals []any, computed ...computedColumn) (string, []any, error) {
	recCols, recVals, err := t.newRow(tx, rec)
	if err != nil {
		return "", nil, err
	}
	cols, vals = append(recCols, cols...), append(recVals, vals...)
	items := make([]string, len(cols))
	var args []any
	for i, col := range cols {
		items[i] = "?"
		j := slices.IndexFunc(computed, func(c computedColumn) bool { return c.column == col })
		if j < 0 {
			args = append(args, vals[i])
			continue
		}
		items[i] = computed[j].expr
		args = append(args, computed[j].args...)
	}
	return "INSERT INTO " + t.entity.Table + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(items, ", ") + ")", args, nil
}

// storedOne sets rec to the one record an insert read back.
func (t *table[T]) storedOne(rec *T, recs []*T) error {
	if len(recs) != 1 {
		return fmt.Errorf("insert %s: %d rows back", t.entity.Name, len(recs))
	}
	*rec = *recs[0]
	return nil
}

// computedColumn is a column written by an SQL expression with its
// arguments.
type computedColumn struct {
	column, expr string
	args         []any
}

// changeStored runs an INSERT, UPDATE or DELETE and returns the rows it
// changed as stored, in the order of their ids.
func (t *table[T]) changeStored(tx *Tx, query string, args ...any) ([]*T, error) {
	recs, err := t.scan(tx, query+t.returns, args...)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(recs, func(a, b *T) int { return cmp.Compare(base(a).ID, base(b).ID) })
	return recs, t.finish(tx, recs, true)
}

// checkoutEvents appends the CoworkerCheckout event of each check-in closed.
func (tx *Tx) checkoutEvents(closed []*checkin.Checkin) error {
	for _, c := range closed {
		if err := tx.appendEvent(checkin.EventCheckout, c.BusinessID, c); err != nil {
			return err
		}
	}
	return nil
}
