package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// On SQLite the store holds its connections for its whole life: one writer
// and a few readers, each with the statements it has prepared. Preparing a
// statement costs more than running most of the check-in's queries, and
// database/sql cannot keep a prepared statement across transactions of a
// pool; a held connection, with BEGIN and COMMIT run as statements, can.

// maxPrepared bounds the statements one connection keeps. The program's
// queries are its own constants and fit; queries built from a list's
// filters beyond the bound run unprepared.
const maxPrepared = 512

// conn is a held SQLite connection and the statements prepared on it. It is
// used by one goroutine at a time.
type conn struct {
	c     *sql.Conn
	stmts map[string]*sql.Stmt
}

// background is the context of every statement on a held connection.
// SQLite interrupts a statement whose context ends by rolling back its whole
// transaction, which for the writer is a batch of other requests' work; so
// statements are not interrupted, and a request's deadline applies while it
// waits for a connection or for the writer instead.
var background = context.Background()

func holdConn(ctx context.Context, pool *sql.DB) (*conn, error) {
	c, err := pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, stmts: map[string]*sql.Stmt{}}, nil
}

func (c *conn) stmt(query string) *sql.Stmt {
	if s, ok := c.stmts[query]; ok {
		return s
	}
	if len(c.stmts) >= maxPrepared {
		return nil
	}
	s, err := c.c.PrepareContext(background, query)
	if err != nil {
		return nil // running the query unprepared reports the error
	}
	c.stmts[query] = s
	return s
}

func (c *conn) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	if s := c.stmt(query); s != nil {
		return s.ExecContext(background, args...)
	}
	return c.c.ExecContext(background, query, args...)
}

func (c *conn) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := c.stmt(query); s != nil {
		return s.QueryContext(background, args...)
	}
	return c.c.QueryContext(background, query, args...)
}

func (c *conn) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	if s := c.stmt(query); s != nil {
		return s.QueryRowContext(background, args...)
	}
	return c.c.QueryRowContext(background, query, args...)
}

// begin starts a transaction; the writer's is IMMEDIATE, so that it takes
// the write lock at once rather than fail to upgrade a read lock later.
func (c *conn) begin(immediate bool) error {
	query := "BEGIN"
	if immediate {
		query = "BEGIN IMMEDIATE"
	}
	_, err := c.ExecContext(background, query)
	return err
}

// end commits the transaction, or rolls it back when it failed or the
// commit does; the connection is ready for the next transaction either way.
func (c *conn) end(failed bool) error {
	if !failed {
		_, err := c.ExecContext(background, "COMMIT")
		if err == nil {
			return nil
		}
		if _, e := c.c.ExecContext(background, "ROLLBACK"); e != nil && !isNoTransaction(e) {
			return errors.Join(err, e)
		}
		return err
	}
	_, err := c.ExecContext(background, "ROLLBACK")
	if isNoTransaction(err) {
		return nil // SQLite rolled it back itself, as it does after some errors
	}
	return err
}

func (c *conn) close() error {
	for _, s := range c.stmts {
		s.Close()
	}
	return c.c.Close()
}

// isNoTransaction reports SQLite's answer to a ROLLBACK with no transaction.
func isNoTransaction(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no transaction is active")
}

// readers are the held reading connections, handed out one request at a time.
type readers struct {
	free chan *conn
	quit chan struct{}
}

func openReaders(ctx context.Context, pool *sql.DB, n int) (*readers, error) {
	r := &readers{free: make(chan *conn, n), quit: make(chan struct{})}
	for range n {
		c, err := holdConn(ctx, pool)
		if err != nil {
			r.close()
			return nil, fmt.Errorf("open a reading connection: %w", err)
		}
		r.free <- c
	}
	return r, nil
}

// read runs fn in a read transaction on a free reader, waiting for one
// until ctx ends.
func (r *readers) read(ctx context.Context, fn func(*conn) error) error {
	return r.use(ctx, func(c *conn) (err error) {
		if err := c.begin(false); err != nil {
			return err
		}
		defer func() {
			if e := c.end(true); err == nil {
				err = e // a read transaction has nothing to commit: it ends by a rollback
			}
		}()
		return fn(c)
	})
}

// use runs fn on a free reader, waiting for one until ctx ends.
func (r *readers) use(ctx context.Context, fn func(*conn) error) error {
	var c *conn
	select {
	case c = <-r.free:
	case <-ctx.Done():
		return ctx.Err()
	case <-r.quit:
		return errClosed
	}
	defer func() { r.free <- c }()
	return fn(c)
}

// close refuses further reads and closes the readers not in use; a read
// still running keeps its connection until the pool is closed.
func (r *readers) close() error {
	close(r.quit)
	var err error
	for {
		select {
		case c := <-r.free:
			err = errors.Join(err, c.close())
		default:
			return err
		}
	}
}
