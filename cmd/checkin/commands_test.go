package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// runCommand runs a command line to its end and returns its exit code and
// output.
func runCommand(args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = run(context.Background(), args, &out, &errs)
	return code, out.String(), errs.String()
}

func TestMigrateCreatesTheSchemaOnce(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dsn := storetest.DSN(t, dialect)
			t.Setenv("CHECKIN_DB", "elsewhere.db") // --db wins
			for range 2 {
				code, stdout, stderr := runCommand("migrate", "--db", dsn)
				if code != 0 || !strings.Contains(stdout, "up to date") {
					t.Fatalf("migrate: exit %d, %q %q", code, stdout, stderr)
				}
			}
			db, err := sqlstore.Open(context.Background(), dsn, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, total, err := db.Businesses().List(context.Background(), checkin.Businesses.DefaultListQuery()); err != nil || total != 0 {
				t.Errorf("list the migrated schema's businesses: %d, %v", total, err)
			}
		})
	}
}

func TestAdminCreate(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dsn := storetest.DSN(t, dialect)
			t.Setenv("CHECKIN_DB", dsn) // read when --db is not given
			code, stdout, stderr := runCommand("admin", "create", "--email", "Boss@Example.com", "--password", "boss-password")
			if code != 0 || stdout != "Created the administrator boss@example.com.\n" {
				t.Fatalf("admin create: exit %d, %q %q", code, stdout, stderr)
			}
			code, stdout, _ = runCommand("admin", "create", "--db", dsn, "--email", "boss@example.com", "--password", "another-password")
			if code != 0 || !strings.Contains(stdout, "already exists; nothing was changed") {
				t.Errorf("admin create of an existing user: exit %d, %q", code, stdout)
			}
			wantPassword(t, dsn, "boss@example.com", "boss-password", true)
			wantPassword(t, dsn, "boss@example.com", "another-password", false)
		})
	}
}

// wantPassword checks whether the password signs the user in.
func wantPassword(t *testing.T, dsn, email, password string, works bool) {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pair, err := db.IssueTokens(context.Background(), email, password)
	if got := err == nil && pair != nil; got != works {
		t.Errorf("sign in as %s with %q: works %v (%v), want %v", email, password, got, err, works)
	}
	if works {
		u, err := db.UserByAccessToken(context.Background(), pair.AccessToken)
		if err != nil || !u.IsAdmin {
			t.Errorf("the user is %+v (%v); want a full administrator", u, err)
		}
	}
}

func TestCommandLineMistakes(t *testing.T) {
	db := "--db=" + t.TempDir() + "/c.db"
	for _, tc := range []struct {
		args       []string
		wantCode   int
		wantStderr string
	}{
		{nil, 2, "Usage: checkin <command>"},
		{[]string{"launch"}, 2, `unknown command "launch"`},
		{[]string{"serve", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"serve", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"serve", db, "--log-format", "xml"}, 1, `--log-format: "xml" is not text or json`},
		{[]string{"serve", db, "--log-level", "loud"}, 1, "--log-level"},
		{[]string{"admin"}, 2, "create   create a full administrator"},
		{[]string{"admin", "delete"}, 2, `unknown subcommand "delete"`},
		{[]string{"admin", "--help"}, 0, "Subcommands:\n  create   create a full administrator"},
		{[]string{"admin", "-h"}, 0, "Subcommands:"},
		{[]string{"admin", "create", "--help"}, 0, "-email"},
		{[]string{"admin", "create", db, "--password", "boss-password"}, 1, "Email: is required"},
		{[]string{"admin", "create", db, "--email", "boss@example.com"}, 1, "Password: is required"},
		{[]string{"admin", "create", db, "--email", "boss@example.com", "--password", "short"}, 1, "Password: must be at least 8 characters"},
		{[]string{"admin", "create", db, "--email", "not-an-email", "--password", "boss-password"}, 1, "Email: is not an email address"},
		{[]string{"migrate", "--db", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}, 1, "checkin migrate:"},
		{[]string{"help"}, 0, "Commands:"},
		{[]string{"doors"}, 2, "pubkey     print the public keys"},
		{[]string{"doors", "--help"}, 0, "Subcommands:\n  pubkey"},
		{[]string{"doors", "rotate-key", "-h"}, 0, "-db"},
		{[]string{"doors", "frobnicate"}, 2, `unknown subcommand "frobnicate"`},
	} {
		code, _, stderr := runCommand(tc.args...)
		if code != tc.wantCode || !strings.Contains(stderr, tc.wantStderr) {
			t.Errorf("checkin %s: exit %d, stderr %q; want exit %d saying %q", strings.Join(tc.args, " "), code, stderr, tc.wantCode, tc.wantStderr)
		}
	}
}

// TestArchitectureListsEverySubcommand: docs/architecture.md names each
// command and each admin subcommand.
func TestArchitectureListsEverySubcommand(t *testing.T) {
	doc, err := os.ReadFile("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, c := range commands() {
		names = append(names, c.name)
	}
	for _, c := range adminCommands() {
		names = append(names, "admin "+c.name)
	}
	for _, n := range names {
		if !strings.Contains(string(doc), "`checkin "+n) {
			t.Errorf("docs/architecture.md does not list checkin %s", n)
		}
	}
}
