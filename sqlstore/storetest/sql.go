package storetest

import (
	"database/sql"
	"testing"

	"github.com/checkin-oss/checkin/sqlstore"
)

// SQL opens the database named by a --db value directly, bypassing the
// store, for checking what is stored; it is closed when the test ends.
func SQL(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if sqlstore.IsPostgres(dsn) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
