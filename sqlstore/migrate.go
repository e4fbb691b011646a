package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrations embed.FS

// migrationLock is the PostgreSQL advisory lock that keeps two instances
// starting at once from migrating together.
const migrationLock = 7_242_001

// Migrate brings the schema up to date. Migrations are forward-only, one SQL
// file per version in the dialect's folder, each applied in its own
// transaction together with its row in schema_migrations.
func (db *DB) Migrate(ctx context.Context) error {
	dir := "migrations/sqlite"
	if db.dialect == postgresDialect {
		dir = "migrations/postgres"
	}
	files, err := fs.Glob(migrations, dir+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(files)
	conn, err := db.rw.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if db.dialect == postgresDialect {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, file := range files {
		version, err := strconv.Atoi(strings.SplitN(path.Base(file), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migrate: %s: the name must start with its version number", file)
		}
		if err := db.applyMigration(ctx, conn, file, version); err != nil {
			return fmt.Errorf("migrate %s: %w", path.Base(file), err)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, conn *sql.Conn, file string, version int) error {
	tx, err := conn.BeginTx(ctx, nil) // SQLite: BEGIN IMMEDIATE, so one process migrates at a time
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var applied int
	if err := tx.QueryRowContext(ctx, db.rebind("SELECT count(*) FROM schema_migrations WHERE version = ?"), version).Scan(&applied); err != nil {
		return err
	}
	if applied > 0 {
		return nil
	}
	ddl, err := migrations.ReadFile(file)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(ddl)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.rebind("INSERT INTO schema_migrations (version, name) VALUES (?, ?)"), version, path.Base(file)); err != nil {
		return err
	}
	return tx.Commit()
}
