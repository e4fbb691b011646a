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
	q   queryer
	db  *DB
	ctx context.Context
	now time.Time
	// events are those appended and not yet inserted (event.go); shared
	// by copies of the Tx.
	events *[]pendingEvent
	// settingsChanged is set when the transaction changes a setting the
	// cache keeps (cache.go).
	settingsChanged bool
}

// newTx returns a transaction running its statements on q (nil: none).
func (db *DB) newTx(ctx context.Context, q queryer) *Tx {
	return &Tx{q: q, db: db, ctx: ctx, now: db.now(), events: new([]pendingEvent)}
}

// queryer runs a transaction's statements: a *sql.Tx on PostgreSQL, a held
// connection with its prepared statements on SQLite.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Now is the transaction's time.
func (tx *Tx) Now() time.Time { return tx.now }

// Context is the context the transaction runs under.
func (tx *Tx) Context() context.Context { return tx.ctx }

// Exec runs a statement written with ? placeholders.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	if tx.q == nil {
		return nil, errMemoMiss
	}
	return tx.q.ExecContext(tx.ctx, tx.db.rebind(query), args...)
}

// Query runs a query written with ? placeholders.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	if tx.q == nil {
		return nil, errMemoMiss
	}
	return tx.q.QueryContext(tx.ctx, tx.db.rebind(query), args...)
}

// QueryRow runs a query that returns at most one row.
func (tx *Tx) QueryRow(query string, args ...any) row {
	if tx.q == nil {
		return row{err: errMemoMiss}
	}
	return row{r: tx.q.QueryRowContext(tx.ctx, tx.db.rebind(query), args...)}
}

// row is QueryRow's answer.
type row struct {
	r   *sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

// errMemoMiss ends a decision run from memory alone (a Tx without a
// connection) at its first query: something it needs is not in the memo.
var errMemoMiss = errors.New("sqlstore: not in the memo")

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

// write runs fn in a write transaction and commits it. On SQLite it runs
// in the writer's next batch (see writer.go). On PostgreSQL a transaction
// that fails with a serialisation failure or a deadlock is run again, from
// the start, with a fresh "now".
func (db *DB) write(ctx context.Context, fn func(tx *Tx) error) error {
	if db.closed.Load() {
		return db.mapError(errClosed)
	}
	if db.dialect == sqliteDialect {
		return db.mapError(db.writer.do(ctx, fn))
	}
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = db.runPostgres(ctx, false, fn)
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
	return db.reading(ctx, true, fn)
}

// readOne runs fn's queries outside any transaction, each seeing the
// database as it is when it runs: for reads whose queries need not agree
// with one another, which then cost no BEGIN and COMMIT (round trips, on
// PostgreSQL).
func (db *DB) readOne(ctx context.Context, fn func(tx *Tx) error) error {
	return db.reading(ctx, false, fn)
}

func (db *DB) reading(ctx context.Context, inTx bool, fn func(tx *Tx) error) error {
	if db.closed.Load() {
		return db.mapError(errClosed)
	}
	var err error
	switch {
	case db.dialect == postgresDialect && inTx:
		err = db.runPostgres(ctx, true, fn)
	case db.dialect == postgresDialect:
		err = readOnlyTx(db.newTx(ctx, db.rw), fn)
	default:
		use := db.readers.use
		if inTx {
			use = db.readers.read
		}
		err = use(ctx, func(c *conn) error { return readOnlyTx(db.newTx(ctx, c), fn) })
	}
	return db.mapError(err)
}

// readOnlyTx runs fn on a reading tx, which must not change anything.
func readOnlyTx(tx *Tx, fn func(tx *Tx) error) error {
	err := fn(tx)
	if err == nil && len(*tx.events) > 0 {
		err = errEventsInRead
	}
	return err
}

// now is the time a transaction runs at.
func (db *DB) now() time.Time { return db.Clock.Now().UTC().Truncate(time.Microsecond) }

func (db *DB) runPostgres(ctx context.Context, readOnly bool, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.beginPostgres(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return err
	}
	tx := db.newTx(ctx, sqlTx)
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if readOnly {
		err = readOnlyTx(tx, fn)
	} else if err = fn(tx); err == nil {
		err = tx.flushEvents()
	}
	if err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	return sqlTx.Commit()
}

// connPostgres takes a connection as beginPostgres begins a transaction.
func (db *DB) connPostgres(ctx context.Context) (*sql.Conn, error) {
	for attempt := 1; ; attempt++ {
		c, err := db.rw.Conn(ctx)
		if err == nil || !tooManyConnections(err) {
			return c, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(min(attempt, 20)) * time.Millisecond):
		}
	}
}

// beginPostgres begins a transaction. While every connection slot of the
// server is taken (SQLSTATE 53300, as in a burst from several instances),
// PostgreSQL refuses new connections; nothing has run then, so the begin
// is tried again until ctx ends, the request waiting for a slot.
func (db *DB) beginPostgres(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	for attempt := 1; ; attempt++ {
		tx, err := db.rw.BeginTx(ctx, opts)
		if err == nil || !tooManyConnections(err) {
			return tx, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(min(attempt, 20)) * time.Millisecond):
		}
	}
}

// actor is the email written as UpdatedBy: the signed-in user's, if any.
func actor(ctx context.Context) *string {
	if u := checkin.UserFrom(ctx); u != nil {
		return &u.Email
	}
	return nil
}
