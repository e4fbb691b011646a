package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/checkin-oss/checkin"
)

// ErrBackupPostgres refuses an online backup of PostgreSQL, which has its
// own tools.
var ErrBackupPostgres = checkin.Errorf(checkin.EINVALID,
	"--db is a PostgreSQL database: back it up with pg_dump (for example pg_dump -Fc -f checkin.dump \"$CHECKIN_DB\") and restore it with pg_restore; this command copies SQLite files only")

// Backup writes a consistent copy of the SQLite database named by dsn to
// dest, while servers keep using the database: VACUUM INTO reads one
// snapshot and never blocks the writer. The copy is written beside dest
// first, checked (PRAGMA integrity_check), synced to disk, and only then
// renamed to dest, so that dest is never a partial copy. Backup neither
// creates nor migrates the source, and refuses to overwrite dest.
func Backup(ctx context.Context, dsn, dest string) error {
	if IsPostgres(dsn) {
		return ErrBackupPostgres
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("there is no database at %s", path)
	} else if err != nil {
		return err
	}
	if _, err := os.Stat(dest); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s already exists; choose a new file for the backup", dest)
	}
	partial := dest + ".partial"
	os.Remove(partial) // left by a backup that was interrupted
	if err := vacuumInto(ctx, path, partial); err != nil {
		os.Remove(partial)
		return err
	}
	if err := checkCopy(ctx, partial); err != nil {
		os.Remove(partial)
		return err
	}
	if err := os.Rename(partial, dest); err != nil {
		return err
	}
	return syncPath(filepath.Dir(dest))
}

// vacuumInto copies the database at path into a new file. The connection
// may not create the database (mode=rw), and waits for a writer as the
// server's do; VACUUM INTO only reads the source.
func vacuumInto(ctx context.Context, path, dest string) error {
	src, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		return fmt.Errorf("copy %s: %w", path, err)
	}
	return syncPath(dest)
}

// checkCopy opens the copy and runs SQLite's integrity check on it.
func checkCopy(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return fmt.Errorf("check the copy: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("the copy failed its integrity check: %s", result)
	}
	return nil
}

// syncPath flushes a file or a directory to disk.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
