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
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync"
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

	dialect dialect
	dsn     string
	rw      *sql.DB // writes; for SQLite a single connection, so writers queue in Go
	ro      *sql.DB // reads; for PostgreSQL the same pool as rw
	queries sync.Map
	cache   *cache
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
	return db, nil
}

func (db *DB) openPostgres(dsn string) error {
	db.dialect = postgresDialect
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(32)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db.rw, db.ro = pool, pool
	return nil
}

// sqlitePragmas are set on every pooled connection through the DSN:
// write-ahead logging so that readers never block the writer, foreign keys,
// a busy timeout for other processes on the same file, and full
// synchronisation so that an answered check-in survives a power cut.
var sqlitePragmas = []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)"}

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
	db.rw.SetMaxOpenConns(1)
	db.rw.SetMaxIdleConns(1)
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
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	db.ro.SetMaxOpenConns(readers)
	db.ro.SetMaxIdleConns(readers)
	db.ro.SetConnMaxIdleTime(0)
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	err := db.rw.Close()
	if db.ro != db.rw {
		if e := db.ro.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var one int
	if err := db.ro.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return db.mapError(err)
	}
	return nil
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
