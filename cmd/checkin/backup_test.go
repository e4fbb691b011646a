package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestBackupWhileServing takes backups of a SQLite database while the
// server runs under a load of check-ins: each copy passes its integrity
// check and holds every check-in answered before the backup began (and
// nothing the answers after it cannot explain); once the server has
// stopped, a copy holds exactly what the database holds, and opens as a
// working store.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "checkin.db")
	pincodes := seedMembers(t, path, 16)
	addr := freeAddr(t)
	server := startServe(t, addr, "serve", "--addr", addr, "--db", path)
	load := apitest.NewToggles(server.url, "acme.localhost")
	stop := runLoad(load, pincodes)
	defer stop()
	waitDecided(t, load, 50)
	for i := range 3 {
		out := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		before := load.Answers()
		backup(t, path, out)
		apitest.CheckStored(t, storetest.SQL(t, out), before, load.Settled())
		wantIntact(t, out)
		waitDecided(t, load, 30)
	}
	stop()
	if code := server.stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}

	out := filepath.Join(dir, "backup-after.db")
	backup(t, path, out)
	if got, want := tableCounts(t, out), tableCounts(t, path); !equalCounts(got, want) {
		t.Errorf("rows by table in the copy = %v, in the database %v", got, want)
	}
	db, err := sqlstore.Open(context.Background(), out, nil, nil)
	if err != nil {
		t.Fatalf("open the copy as a store: %v", err)
	}
	defer db.Close()
	if b, err := db.BusinessByWebAddress(context.Background(), "acme"); err != nil || b == nil {
		t.Errorf("the copy's location acme: %v, %v", b, err)
	}
}

func backup(t *testing.T, db, out string) {
	t.Helper()
	code, stdout, stderr := runCommand("backup", "--db", db, "--out", out)
	if code != 0 || !strings.Contains(stdout, "Backed up") {
		t.Fatalf("backup: exit %d, %q %q", code, stdout, stderr)
	}
	if _, err := os.Stat(out + ".partial"); err == nil {
		t.Errorf("the partial copy %s.partial was left behind", out)
	}
}

// tableCounts counts the rows of every table of a SQLite file.
func tableCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	db := storetest.SQL(t, path)
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	counts := map[string]int{}
	for _, table := range tables {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "` + table + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) || a["checkins"] == 0 {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestBackupRefuses: PostgreSQL, a missing --out, a missing database and
// an existing copy are refused with a clear message, and change nothing.
func TestBackupRefuses(t *testing.T) {
	dir := t.TempDir()
	db, existing, missing, fresh := filepath.Join(dir, "checkin.db"), filepath.Join(dir, "old.db"), filepath.Join(dir, "missing.db"), filepath.Join(dir, "new.db")
	if code, _, stderr := runCommand("migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	if err := os.WriteFile(existing, []byte("an older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"PostgreSQL", []string{"--db", "postgres://checkin@127.0.0.1:1/checkin", "--out", fresh}, 1, "pg_dump"},
		{"no --out", []string{"--db", db}, 2, "--out is required"},
		{"no database", []string{"--db", missing, "--out", fresh}, 1, "missing.db"},
		{"the copy exists", []string{"--db", db, "--out", existing}, 1, "already exists"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCommand(append([]string{"backup"}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("exit %d, %q; want %d and a message with %q", code, stderr, tc.wantCode, tc.wantErr)
			}
			for _, path := range []string{fresh, missing, fresh + ".partial"} {
				if _, err := os.Stat(path); err == nil {
					t.Errorf("%s was created", filepath.Base(path))
				}
			}
			if b, _ := os.ReadFile(existing); string(b) != "an older backup" {
				t.Errorf("the existing file was changed: %q", b)
			}
		})
	}
}
