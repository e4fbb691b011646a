package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/checkin-oss/checkin"
)

// table keeps the records of one entity: one generic implementation of
// find, list, create, replace and delete, driven by the entity's schema.
// What is special about an entity lives in its hooks.
type table[T any] struct {
	db      *DB
	entity  *checkin.Entity[T]
	hooks   hooks[T]
	columns []*checkin.Field // stored columns
	selects string           // SELECT ... FROM table t
	returns string           // RETURNING the stored columns
}

// hooks are the entity-specific steps around the generic ones. Each is
// optional and runs inside the operation's transaction.
type hooks[T any] struct {
	// beforeTx runs before the write transaction begins, for slow work such
	// as password hashing that must not hold the database's write lock.
	beforeTx func(rec *T) error
	// check runs before the write transaction too, for checks that may
	// wait on the network, such as resolving a webhook's host.
	check func(ctx context.Context, rec *T) error
	// prepare checks what needs the database and derives values before a
	// create (old is nil) or a replace.
	prepare func(tx *Tx, rec, old *T) error
	// extra returns internal columns (not API fields) written with the row.
	extra func(tx *Tx, rec *T) (columns []string, values []any, err error)
	// saved writes what is kept beside the row, such as join tables.
	saved func(tx *Tx, rec *T) error
	// written runs after a create (old is nil) or a replace is saved: for
	// the events the change makes.
	written func(tx *Tx, rec, old *T) error
	// load fills fields kept beside the rows; full is false for lists,
	// which leave collections out.
	load func(tx *Tx, recs []*T, full bool) error
	// deleting runs before a delete.
	deleting func(tx *Tx, rec *T) error
	// changed runs after a successful commit of any write.
	changed func(rec *T)
	// networkRefs names reference fields that may point into another
	// location; prepare checks that it is of the same network.
	networkRefs []string
}

func newTable[T any](db *DB, e *checkin.Entity[T], h hooks[T]) *table[T] {
	t := &table[T]{db: db, entity: e, hooks: h, columns: e.Columns()}
	names := make([]string, len(t.columns))
	for i, f := range t.columns {
		names[i] = "t." + f.Column
	}
	t.selects = "SELECT " + strings.Join(names, ", ") + " FROM " + e.Table + " t"
	t.returns = " RETURNING " + strings.ReplaceAll(strings.Join(names, ", "), "t.", "")
	return t
}

func base(rec any) *checkin.Record { return rec.(interface{ Base() *checkin.Record }).Base() }

func (t *table[T]) notFound(id int64) error {
	return checkin.Errorf(checkin.ENOTFOUND, "%s %d was not found.", t.entity.Name, id)
}

// Find returns the record with that id, with its collections.
func (t *table[T]) Find(ctx context.Context, id int64) (*T, error) {
	var rec *T
	err := t.db.read(ctx, func(tx *Tx) error {
		var err error
		rec, err = t.find(tx, id, false)
		return err
	})
	if err == nil && !t.visible(ctx, rec) {
		return nil, t.notFound(id)
	}
	return rec, err
}

func (t *table[T]) find(tx *Tx, id int64, lock bool) (*T, error) {
	query := t.selects + " WHERE t.id = ?"
	if lock {
		query += tx.forUpdate()
	}
	recs, err := t.scan(tx, query, id)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, t.notFound(id)
	}
	return recs[0], t.finish(tx, recs, true)
}

// List returns one page of records and the number of all that match.
func (t *table[T]) List(ctx context.Context, q checkin.ListQuery) ([]*T, int, error) {
	var recs []*T
	var total int
	q = t.scoped(ctx, q)
	err := t.db.read(ctx, func(tx *Tx) error {
		where, args := buildWhere(t.entity.Schema, q.Where)
		if err := tx.QueryRow("SELECT count(*) FROM "+t.entity.Table+" t"+where, args...).Scan(&total); err != nil {
			return err
		}
		if total == 0 || q.Offset() >= total {
			return nil
		}
		query := t.selects + where + orderBy(q) + " LIMIT ? OFFSET ?"
		var err error
		if recs, err = t.scanSkipping(tx, query, append(args, q.Size, q.Offset())...); err != nil {
			return err
		}
		return t.finish(tx, recs, true) // a list's records hold every field a single one has
	})
	return recs, total, err
}

// finish runs the load hook and fills the computed common fields.
func (t *table[T]) finish(tx *Tx, recs []*T, full bool) error {
	if len(recs) == 0 {
		return nil
	}
	if t.hooks.load != nil {
		if err := t.hooks.load(tx, recs, full); err != nil {
			return err
		}
	}
	for _, rec := range recs {
		if s, ok := any(rec).(fmt.Stringer); ok {
			base(rec).ToStringText = s.String()
		}
	}
	return nil
}

func (t *table[T]) readOnly() error {
	return checkin.Errorf(checkin.ENOTALLOWED, "%s records are read-only.", t.entity.Name)
}

// validate runs the record's own checks, which also normalise it, then the
// check and beforeTx hooks.
func (t *table[T]) validate(ctx context.Context, rec *T) error {
	if v, ok := any(rec).(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	if t.hooks.check != nil {
		if err := t.hooks.check(ctx, rec); err != nil {
			return err
		}
	}
	if t.hooks.beforeTx != nil {
		return t.hooks.beforeTx(rec)
	}
	return nil
}

// Create inserts a new record and returns its id.
func (t *table[T]) Create(ctx context.Context, rec *T) (int64, error) {
	if t.entity.ReadOnly {
		return 0, t.readOnly()
	}
	if err := t.validate(ctx, rec); err != nil {
		return 0, err
	}
	err := t.db.write(ctx, func(tx *Tx) error {
		return t.insert(tx, rec)
	})
	if err != nil {
		return 0, t.constraintError(err, "create")
	}
	t.changed(rec)
	return base(rec).ID, nil
}

func (t *table[T]) insert(tx *Tx, rec *T) error {
	if err := t.mayWrite(tx.ctx, rec); err != nil {
		return err
	}
	if err := t.checkRefs(tx, rec); err != nil {
		return err
	}
	if t.hooks.prepare != nil {
		if err := t.hooks.prepare(tx, rec, nil); err != nil {
			return err
		}
	}
	if err := t.insertRow(tx, rec, nil, nil); err != nil {
		return err
	}
	return t.saved(tx, rec, nil)
}

// insertRow fills rec's common fields and inserts its row, with the hook's
// internal columns and any given here.
func (t *table[T]) insertRow(tx *Tx, rec *T, cols []string, vals []any) error {
	recCols, recVals, err := t.newRow(tx, rec)
	if err != nil {
		return err
	}
	cols, vals = append(recCols, cols...), append(recVals, vals...)
	base(rec).ID, err = tx.insert("INSERT INTO "+t.entity.Table+" ("+strings.Join(cols, ", ")+") VALUES "+marks(len(cols)), vals...)
	return err
}

// newRow fills the common fields of rec, about to be inserted, and returns
// the columns and values of its row.
func (t *table[T]) newRow(tx *Tx, rec *T) ([]string, []any, error) {
	b := base(rec)
	b.UniqueID = checkin.NewUUID()
	b.CreatedOn, b.UpdatedOn = checkin.NewTime(tx.now), checkin.NewTime(tx.now)
	b.UpdatedBy = actor(tx.ctx)
	return t.values(tx, rec)
}

// values returns the columns and values written for rec: every stored
// field but the id, then the hook's internal columns.
func (t *table[T]) values(tx *Tx, rec *T) ([]string, []any, error) {
	cols := make([]string, 0, len(t.columns))
	vals := make([]any, 0, len(t.columns))
	for _, f := range t.columns {
		if f.Column == "id" {
			continue
		}
		cols = append(cols, f.Column)
		vals = append(vals, f.Value(rec))
	}
	if t.hooks.extra != nil {
		c, v, err := t.hooks.extra(tx, rec)
		if err != nil {
			return nil, nil, err
		}
		cols, vals = append(cols, c...), append(vals, v...)
	}
	return cols, vals, nil
}

func (t *table[T]) saved(tx *Tx, rec, old *T) error {
	if t.hooks.saved != nil {
		if err := t.hooks.saved(tx, rec); err != nil {
			return err
		}
	}
	if t.hooks.written != nil {
		return t.hooks.written(tx, rec, old)
	}
	return nil
}

func (t *table[T]) changed(rec *T) {
	if t.hooks.changed != nil {
		t.hooks.changed(rec)
	}
}

// Replace overwrites the record with rec's Id: fields left out of the
// request are cleared; read-only fields keep their stored values.
func (t *table[T]) Replace(ctx context.Context, rec *T) error { return t.replace(ctx, rec, nil) }

// errStale is returned by replace when the record is no longer what was read.
var errStale = errors.New("sqlstore: the record changed since it was read")

// updateAttempts bounds how often Update starts again when the record
// changes under it.
const updateAttempts = 5

func (t *table[T]) Update(ctx context.Context, id int64, change func(*T) error) error {
	if t.entity.ReadOnly {
		return t.readOnly()
	}
	for range updateAttempts {
		var rec, read *T
		err := t.db.read(ctx, func(tx *Tx) error {
			var err error
			if rec, err = t.find(tx, id, false); err != nil {
				return err
			}
			read, err = t.find(tx, id, false) // a copy to compare with
			return err
		})
		if err == nil && !t.visible(ctx, rec) {
			err = t.notFound(id)
		}
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(rec, read) {
			continue // a change between the two reads (PostgreSQL reads each statement afresh)
		}
		if err := change(rec); err != nil {
			return err
		}
		if err := t.replace(ctx, rec, read); !errors.Is(err, errStale) {
			return err
		}
	}
	return checkin.Errorf(checkin.ECONFLICT, "%s %d kept changing while it was being saved; try again.", t.entity.Name, id)
}

// replace saves rec over the stored record; when read is set, only if the
// stored record is still read (else errStale). Validation and its hooks
// (password hashes, webhook addresses) run before the transaction.
func (t *table[T]) replace(ctx context.Context, rec, read *T) error {
	if t.entity.ReadOnly {
		return t.readOnly()
	}
	if err := t.validate(ctx, rec); err != nil {
		return err
	}
	err := t.db.write(ctx, func(tx *Tx) error {
		old, err := t.find(tx, base(rec).ID, true)
		if err != nil {
			return err
		}
		if !t.visible(ctx, old) {
			return t.notFound(base(rec).ID)
		}
		if read != nil && !reflect.DeepEqual(old, read) {
			return errStale
		}
		for _, f := range t.entity.Fields {
			if f.ReadOnly {
				f.Copy(rec, old)
			}
		}
		if err := t.mayWrite(ctx, rec); err != nil {
			return err
		}
		if err := t.checkRefs(tx, rec); err != nil {
			return err
		}
		if t.hooks.prepare != nil {
			if err := t.hooks.prepare(tx, rec, old); err != nil {
				return err
			}
		}
		b := base(rec)
		b.UpdatedOn = checkin.NewTime(tx.now)
		b.UpdatedBy = actor(tx.ctx)
		cols, vals, err := t.values(tx, rec)
		if err != nil {
			return err
		}
		set := strings.Join(cols, " = ?, ") + " = ?"
		if _, err := tx.Exec("UPDATE "+t.entity.Table+" SET "+set+" WHERE id = ?", append(vals, b.ID)...); err != nil {
			return err
		}
		return t.saved(tx, rec, old)
	})
	if errors.Is(err, errStale) {
		return err
	}
	if err != nil {
		return t.constraintError(err, "replace")
	}
	t.changed(rec)
	return nil
}

// Delete removes the record with that id.
func (t *table[T]) Delete(ctx context.Context, id int64) error {
	if t.entity.ReadOnly {
		return t.readOnly()
	}
	var rec *T
	err := t.db.write(ctx, func(tx *Tx) error {
		var err error
		if rec, err = t.find(tx, id, true); err != nil {
			return err
		}
		if !t.visible(ctx, rec) {
			return t.notFound(id)
		}
		if t.hooks.deleting != nil {
			if err := t.hooks.deleting(tx, rec); err != nil {
				return err
			}
		}
		_, err = tx.Exec("DELETE FROM "+t.entity.Table+" WHERE id = ?", id)
		return err
	})
	if err != nil {
		return t.constraintError(err, "delete")
	}
	t.changed(rec)
	return nil
}

// constraintError words a constraint violation for the operation that hit
// it; by then the hooks' own checks have passed, so it is a race or a
// reference from records the hooks do not know about.
func (t *table[T]) constraintError(err error, op string) error {
	if checkin.ErrorCode(err) != checkin.ECONFLICT || violation(err) != foreignKeyViolation {
		return err
	}
	if op == "delete" {
		return errors.Join(checkin.Errorf(checkin.ECONFLICT, "This %s is still referred to by other records (such as members, check-ins or plans); remove those first.", t.entity.Name), err)
	}
	return errors.Join(checkin.Errorf(checkin.EINVALID, "The %s refers to a record that does not exist.", t.entity.Name), err)
}
