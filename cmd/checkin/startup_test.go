package main

import (
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestServeWarnsAtStart: serve warns when --default-location names no
// location and when no one can sign in to the admin API, saying how to fix
// it; a demo start has neither problem and no warning.
func TestServeWarnsAtStart(t *testing.T) {
	const noLocation, noAdmin = "--default-location names no location", "the database has no administrator"
	for _, tc := range []struct {
		name  string
		args  []string
		admin bool // CHECKIN_ADMIN_EMAIL and CHECKIN_ADMIN_PASSWORD set
		want  []string
		not   []string
	}{
		{"fresh database, a default location", []string{"--default-location", "nowhere"}, false,
			[]string{noLocation, `default_location=nowhere`, noAdmin, "checkin admin create", "CHECKIN_ADMIN_EMAIL"}, nil},
		{"fresh database, no default location", nil, false, []string{noAdmin}, []string{noLocation}},
		{"administrator from the variables", []string{"--default-location", "nowhere"}, true, []string{noLocation}, []string{noAdmin}},
		{"demo", []string{"--demo"}, false, nil, []string{noLocation, noAdmin, "level=WARN"}},
	} {
		for _, dialect := range storetest.Dialects() {
			t.Run(tc.name+"/"+dialect, func(t *testing.T) {
				if tc.admin {
					t.Setenv("CHECKIN_ADMIN_EMAIL", "boss@example.com")
					t.Setenv("CHECKIN_ADMIN_PASSWORD", "boss-password")
				}
				addr := freeAddr(t)
				s := startServe(t, addr, append([]string{"serve", "--addr", addr, "--db", storetest.DSN(t, dialect)}, tc.args...)...)
				s.stop()
				logs := s.stderr.String()
				for _, w := range tc.want {
					if !strings.Contains(logs, w) {
						t.Errorf("the logs do not say %q:\n%s", w, logs)
					}
				}
				for _, w := range tc.not {
					if strings.Contains(logs, w) {
						t.Errorf("the logs say %q:\n%s", w, logs)
					}
				}
			})
		}
	}
}
