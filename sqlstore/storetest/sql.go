package storetest

import (
	"database/sql"
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/checkin-oss/checkin/sqlstore"
	"golang.org/x/crypto/argon2"
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

// OldPasswordHash returns an argon2id hash of pw with the parameters new
// hashes had until 2026-11-30 (19 MiB, 2 passes), as rows written then
// hold, for tests of their upgrade (secret.Upgrade).
func OldPasswordHash(pw string) string {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(pw), salt, 2, 19*1024, 1, 32)
	return fmt.Sprintf("$argon2id$v=19$m=19456,t=2,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}
