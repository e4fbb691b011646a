package sqlstore

import "fmt"

func (t *table[T]) scan(tx *Tx, query string, args ...any) ([]*T, error) {
	return t.scanRows(tx, false, query, args...)
}

// scanSkipping is scan for lists: a row that cannot be read (a value no
// version of the service writes) is logged and left out, and the list goes
// on.
func (t *table[T]) scanSkipping(tx *Tx, query string, args ...any) ([]*T, error) {
	return t.scanRows(tx, true, query, args...)
}

func (t *table[T]) scanRows(tx *Tx, skipBad bool, query string, args ...any) ([]*T, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return t.scanAll(rows, skipBad)
}

// rowReader is what scanAll reads: database/sql's rows, or pgx's in a pipeline.
type rowReader interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// scanAll reads every row of rows as a record.
func (t *table[T]) scanAll(rows rowReader, skipBad bool) ([]*T, error) {
	var recs []*T
	for rows.Next() {
		rec := new(T)
		ptrs := make([]any, len(t.columns))
		for i, f := range t.columns {
			ptrs[i] = f.Ptr(rec)
		}
		if err := rows.Scan(ptrs...); err != nil {
			if skipBad {
				t.db.Log.Error("a row could not be read; it is left out of the list", "entity", t.entity.Name, "id", base(rec).ID, "err", err)
				continue
			}
			return nil, fmt.Errorf("scan %s: %w", t.entity.Name, err)
		}
		recs = append(recs, rec)
	}
	return recs, rows.Err()
}
