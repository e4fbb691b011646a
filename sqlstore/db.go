// Package sqlstore keeps the service's records in SQL: embedded SQLite by
// default, PostgreSQL when given a postgres:// URL. Queries are shared between
// the two and written with ? placeholders; only the DDL (one migrations
// folder per dialect) and a few clauses differ. Invariants are enforced by the
// database itself (constraints, partial unique indexes, row locks and
// conditional updates), so several instances on one PostgreSQL are as correct
// as one.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/checkin-oss/checkin"
)

type dialect int

const (
	sqliteDialect dialect = iota + 1
	postgresDialect
)

// DB is the store. Its exported fields may be set before first use.
type DB struct {
	Clock checkin.Clock
	Log   *slog.Logger
	// CheckWebhookURL, when set, refuses a webhook URL whose host may not
	// be reached (webhook.Guard); it runs before the write transaction.
	CheckWebhookURL func(ctx context.Context, rawURL string) error

	dialect dialect
	dsn     string
	rw      *sql.DB // PostgreSQL's pool; SQLite's writing connections (the writer's and migrations')
	ro      *sql.DB // SQLite's reading connections; for PostgreSQL the same pool as rw
	writer  *writer // SQLite: the one goroutine that writes, in batches
	// refusals, on PostgreSQL, writes refusals in batches.
	refusals *refusalBatcher
	// starts, on PostgreSQL, writes first check-ins in batches.
	starts *startBatcher
	// listener, on PostgreSQL, keeps the filters of throttling keys with a
	// row and of credentials rows hold (listen_postgres.go).
	listener *keyListener
	readers  *readers // SQLite: the reading connections, held
	closing  sync.Once
	closed   atomic.Bool
	queries  sync.Map
	cache    *cache      // locations, settings and doors (cache.go)
	basic    *basicCache // verified Basic credentials (basicauth.go)
	memo     *memo       // SQLite unless memo=off: the check-in's lookups kept in memory (memo.go); else nil
	memoOn   bool
	// memoQuit stops the memo's watch of the heap.
	memoQuit chan struct{}
	// warming is the memo's filling at Open (memo_warm.go); stopWarming
	// cancels it.
	warming     sync.WaitGroup
	stopWarming context.CancelFunc
	tables
}

// IsPostgres reports whether a --db value names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to the database named by dsn (a SQLite file path or a
// postgres:// URL) and migrates its schema.
func Open(ctx context.Context, dsn string, clock checkin.Clock, log *slog.Logger) (*DB, error) {
	db := &DB{Clock: clock, Log: log, dsn: dsn}
	if db.Clock == nil {
		db.Clock = checkin.SystemClock{}
	}
	if db.Log == nil {
		db.Log = slog.New(slog.DiscardHandler)
	}
	db.cache = newCache()
	db.basic = newBasicCache()
	db.initTables()
	var err error
	if IsPostgres(dsn) {
		err = db.openPostgres(dsn)
	} else {
		err = db.openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.dialect == sqliteDialect {
		if err := db.holdSQLiteConns(ctx); err != nil {
			db.Close()
			return nil, err
		}
	} else {
		db.listener = startKeyListener(db)
	}
	return db, nil
}

func (db *DB) openPostgres(dsn string) error {
	db.dialect = postgresDialect
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	// An instance holds at most 32 connections: the pool's, and the
	// listener's (listen_postgres.go).
	pool.SetMaxOpenConns(31)
	pool.SetMaxIdleConns(31)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db.rw, db.ro = pool, pool
	db.refusals = startRefusalBatcher(db)
	db.starts = startStartBatcher(db)
	return nil
}

// sqlitePragmas are set on every pooled connection through the DSN:
// write-ahead logging so that readers never block the writer, foreign keys,
// a busy timeout for other processes on the same file, and full
// synchronisation so that an answered check-in survives a power cut.
// Temporary data, such as the sub-journal of the writer's savepoint per
// write, stays in memory rather than in a file written at every savepoint.
var sqlitePragmas = []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)", "temp_store(MEMORY)"}

func (db *DB) openSQLite(dsn string) error {
	db.dialect = sqliteDialect
	path, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path == "" {
		return fmt.Errorf("--db: empty SQLite file name")
	}
	extra, err := url.ParseQuery(query)
	if err != nil {
		return fmt.Errorf("--db: %w", err)
	}
	// The check-in's lookups are kept in memory (memo.go) unless memo=off;
	// it is the store's option, not SQLite's.
	db.memoOn = true
	if extra.Has("memo") {
		switch v := extra.Get("memo"); v {
		case "on":
		case "off":
			db.memoOn = false
		default:
			return fmt.Errorf("--db: memo=%q: want memo=on or memo=off", v)
		}
		extra.Del("memo")
	}
	open := func(txlock string, readOnly bool) (*sql.DB, error) {
		q := url.Values{}
		for _, p := range sqlitePragmas {
			q.Add("_pragma", p)
		}
		for k, v := range extra { // the operator's own options come last and win
			q[k] = append(q[k], v...)
		}
		q.Set("_txlock", txlock)
		q.Set("_time_format", "sqlite")
		if readOnly {
			q.Add("_pragma", "query_only(1)")
		}
		return sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	}
	if db.rw, err = open("immediate", false); err != nil {
		return err
	}
	// Two: the writer's, held, and one for migrations and maintenance,
	// which SQLite's own lock (and the busy timeout) orders with the writer.
	db.rw.SetMaxOpenConns(2)
	db.rw.SetMaxIdleConns(2)
	db.rw.SetConnMaxIdleTime(0)
	db.rw.SetConnMaxLifetime(0)
	// Create the file and switch it to WAL before readers open it.
	if err := db.rw.Ping(); err != nil {
		db.rw.Close()
		return fmt.Errorf("open %s: %w", path, err)
	}
	if db.ro, err = open("deferred", true); err != nil {
		db.rw.Close()
		return err
	}
	db.ro.SetMaxOpenConns(sqliteReaders())
	db.ro.SetMaxIdleConns(sqliteReaders())
	db.ro.SetConnMaxIdleTime(0)
	db.ro.SetConnMaxLifetime(0)
	return nil
}

// sqliteReaders is how many reading connections the store holds: reads
// use the CPU, so a few per core.
func sqliteReaders() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// holdSQLiteConns takes the connections the store keeps on SQLite and
// starts the writer, once the schema is migrated.
func (db *DB) holdSQLiteConns(ctx context.Context) error {
	c, err := holdConn(ctx, db.rw)
	if err != nil {
		return fmt.Errorf("open the writing connection: %w", err)
	}
	if db.readers, err = openReaders(ctx, db.ro, sqliteReaders()); err != nil {
		c.close()
		return err
	}
	var changes *changes
	if db.memoOn {
		if changes, err = followChanges(ctx, c); err != nil {
			c.close() // the readers are closed by Close, as Open calls it
			return err
		}
		db.memo = changes.m
		db.memoQuit = make(chan struct{})
		go db.memo.watchHeap(100*time.Millisecond, db.memoQuit)
	}
	db.writer = startWriter(db, c)
	db.writer.changes = changes
	if db.memo != nil {
		db.warmMemo()
	}
	return nil
}

// Close closes the database, once no request uses it; writes that reach it
// afterwards fail. Closing it again does nothing.
func (db *DB) Close() error {
	var err error
	db.closing.Do(func() {
		db.closed.Store(true)
		if db.memoQuit != nil {
			if db.stopWarming != nil {
				db.stopWarming()
			}
			db.warming.Wait()
			close(db.memoQuit)
		}
		if db.writer != nil {
			err = db.writer.close()
		}
		if db.refusals != nil {
			db.refusals.stop()
			db.starts.stop()
		}
		if db.listener != nil {
			db.listener.close()
		}
		if db.readers != nil {
			err = errors.Join(err, db.readers.close())
		}
		err = errors.Join(err, db.rw.Close())
		if db.ro != nil && db.ro != db.rw {
			err = errors.Join(err, db.ro.Close())
		}
	})
	return err
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return db.readOne(ctx, func(tx *Tx) error {
		var one int
		return tx.QueryRow("SELECT 1").Scan(&one)
	})
}

// IsSQLite reports whether the store is embedded SQLite.
func (db *DB) IsSQLite() bool { return db.dialect == sqliteDialect }

// redact hides the password of a database URL, for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	return u.Redacted()
}
