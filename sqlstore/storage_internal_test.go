package sqlstore

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/checkin-oss/checkin"
)

// TestStorageFailuresAreUnavailable: PostgreSQL's codes for a full disk,
// an I/O error and a read-only transaction are storage failures, answered
// as unavailable; other codes are not. (SQLite's full disk is tested end to
// end by httpapi's TestAFullDiskIsAnOutage.)
func TestStorageFailuresAreUnavailable(t *testing.T) {
	db := &DB{}
	for _, tc := range []struct {
		code, reason string
	}{
		{"53100", checkin.StorageDiskFull},
		{"58030", checkin.StorageIOError},
		{"25006", checkin.StorageReadOnly},
		{"23505", ""},
		{"42P01", ""},
	} {
		err := db.mapError(fmt.Errorf("exec: %w", &pgconn.PgError{Code: tc.code, Message: "x"}))
		se := checkin.StorageFailure(err)
		switch {
		case tc.reason == "" && se != nil:
			t.Errorf("%s: a storage failure (%s), want none", tc.code, se.Reason)
		case tc.reason != "" && (se == nil || se.Reason != tc.reason || checkin.ErrorCode(err) != checkin.EUNAVAILABLE):
			t.Errorf("%s: got %v (code %s), want the storage failure %s, unavailable", tc.code, se, checkin.ErrorCode(err), tc.reason)
		}
	}
}
