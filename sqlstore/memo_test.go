package sqlstore_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/sqlstore"
)

// TestMemoOption: memo=on and memo=off are the store's own --db options on
// SQLite; any other value is refused with a message that names it.
func TestMemoOption(t *testing.T) {
	tests := []struct {
		option  string
		wantErr string
	}{
		{"memo=on", ""},
		{"memo=off", ""},
		{"memo=yes", `memo="yes": want memo=on or memo=off`},
	}
	for _, tc := range tests {
		t.Run(tc.option, func(t *testing.T) {
			db, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "checkin.db")+"?"+tc.option, nil, nil)
			if err == nil {
				defer db.Close()
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("open: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("open: %v, want an error with %q", err, tc.wantErr)
			}
		})
	}
}
