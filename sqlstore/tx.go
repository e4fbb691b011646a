package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
)

// Tx is a transaction with the time it runs at, taken once from the clock,
// so that every row it writes agrees on "now".
type Tx struct {
	tx  *sql.Tx
	db  *DB
	ctx context.Context
	now time.Time
}

// Now is the transaction's time.
func (tx *Tx) Now() time.Time { return tx.now }

// Context is the context the transaction runs under.
func (tx *Tx) Context() context.Context { return tx.ctx }

// Exec runs a statement written with ? placeholders.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(tx.ctx, tx.db.rebind(query), args...)
}

// Query runs a query written with ? placeholders.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(tx.ctx, tx.db.rebind(query), args...)
}

// QueryRow runs a query that returns at most one row.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(tx.ctx, tx.db.rebind(query), args...)
}

// insert runs an INSERT ... RETURNING id and returns the id.
func (tx *Tx) insert(query string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRow(query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// exists reports whether a query returns a row.
func (tx *Tx) exists(query string, args ...any) (bool, error) {
	var one int
	err := tx.QueryRow(query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// forUpdate is the row-lock clause: PostgreSQL locks the rows read; SQLite
// needs none, because its write transactions already run one at a time.
func (tx *Tx) forUpdate() string {
	if tx.db.dialect == postgresDialect {
		return " FOR UPDATE"
	}
	return ""
}

// rebind rewrites ? placeholders as $1, $2, ... for PostgreSQL. Rewritten
// queries are cached; the queries are the program's own constants.
func (db *DB) rebind(query string) string {
	if db.dialect != postgresDialect {
		return query
	}
	if q, ok := db.queries.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	inString := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
		case c == '?' && !inString:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	q := b.String()
	db.queries.Store(query, q)
	return q
}

// maxAttempts bounds how often a transaction that lost a serialisation race
// or a deadlock on PostgreSQL is run again.
const maxAttempts = 8

// write runs fn in a write transaction and commits it. On PostgreSQL a
// transaction that fails with a serialisation failure or a deadlock is run
// again, from the start, with a fresh "now".
func (db *DB) write(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = db.run(ctx, db.rw, false, fn)
		if !isRetryable(err) {
			break
		}
		select {
		case <-ctx.Done():
			return db.mapError(ctx.Err())
		case <-time.After(time.Duration(attempt*attempt) * time.Millisecond):
		}
	}
	return db.mapError(err)
}

// read runs fn in a read-only transaction, so that its queries see one
// snapshot.
func (db *DB) read(ctx context.Context, fn func(tx *Tx) error) error {
	return db.mapError(db.run(ctx, db.ro, true, fn))
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(tx *Tx) error) (err error) {
	sqlTx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly && db.dialect == postgresDialect})
	if err != nil {
		return err
	}
	tx := &Tx{tx: sqlTx, db: db, ctx: ctx, now: db.Clock.Now().UTC().Truncate(time.Microsecond)}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	return sqlTx.Commit()
}

// actor is the email written as UpdatedBy: the signed-in user's, if any.
func actor(ctx context.Context) *string {
	if u := checkin.UserFrom(ctx); u != nil {
		return &u.Email
	}
	return nil
}
