package sqlstore

import (
	"context"
	"fmt"

	"github.com/checkin-oss/checkin"
)

// eachBatch is how many records Each reads before it hands them on.
const eachBatch = 500

// Each hands every record matching q (its paging ignored) that the
// request's user may see to fn, in q's order, for exports of any size: one query streams the rows, and the
// fields kept beside them are loaded a batch at a time. fn's error stops
// the export and is returned.
func (t *table[T]) Each(ctx context.Context, q checkin.ListQuery, fn func(*T) error) error {
	q = t.scoped(ctx, q)
	return t.db.read(ctx, func(tx *Tx) error {
		where, args := buildWhere(t.entity.Schema, q.Where)
		rows, err := tx.Query(t.selects+where+orderBy(q), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		batch := make([]*T, 0, eachBatch)
		flush := func() error {
			if err := t.finishApart(tx, batch); err != nil {
				return err
			}
			for _, rec := range batch {
				if err := fn(rec); err != nil {
					return err
				}
			}
			batch = batch[:0]
			return nil
		}
		ptrs := make([]any, len(t.columns))
		for rows.Next() {
			rec := new(T)
			for i, f := range t.columns {
				ptrs[i] = f.Ptr(rec)
			}
			if err := rows.Scan(ptrs...); err != nil {
				return fmt.Errorf("scan %s: %w", t.entity.Name, err)
			}
			if batch = append(batch, rec); len(batch) == eachBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return flush()
	})
}

// finishApart runs finish for records read by a query of tx that is still
// open. SQLite runs it in tx; PostgreSQL, whose connection runs one query at
// a time, on another connection.
func (t *table[T]) finishApart(tx *Tx, recs []*T) error {
	if t.hooks.load == nil || t.db.dialect == sqliteDialect {
		return t.finish(tx, recs, false)
	}
	return t.db.readOne(tx.ctx, func(other *Tx) error { return t.finish(other, recs, false) })
}

// Window returns the page of records q asks for (of those the request's
// user may see), and whether more follow,
// without counting them all: for lists too long to count at each page,
// such as the console's failed check-ins of a month.
func (t *table[T]) Window(ctx context.Context, q checkin.ListQuery) ([]*T, bool, error) {
	q = t.scoped(ctx, q)
	var recs []*T
	err := t.db.read(ctx, func(tx *Tx) error {
		where, args := buildWhere(t.entity.Schema, q.Where)
		var err error
		recs, err = t.scan(tx, t.selects+where+orderBy(q)+" LIMIT ? OFFSET ?", append(args, q.Size+1, q.Offset())...)
		if err != nil {
			return err
		}
		return t.finish(tx, recs, false)
	})
	more := len(recs) > q.Size
	if more {
		recs = recs[:q.Size]
	}
	return recs, more, err
}
