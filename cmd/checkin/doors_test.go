package main

import (
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestDoorsPubkeyAndRotateKey: pubkey makes the first key and prints it;
// rotate-key signs with a new one and lists the old one as retired.
func TestDoorsPubkeyAndRotateKey(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dsn := storetest.DSN(t, dialect)
			code, first, stderr := runCommand("doors", "pubkey", "--db", dsn)
			if code != 0 || strings.Count(first, "\n") != 1 || !strings.HasSuffix(first, "\tsigning\n") {
				t.Fatalf("doors pubkey: exit %d, %q %q", code, first, stderr)
			}
			if code, again, _ := runCommand("doors", "pubkey", "--db", dsn); code != 0 || again != first {
				t.Errorf("doors pubkey again = %q, want the same key %q", again, first)
			}
			code, rotated, stderr := runCommand("doors", "rotate-key", "--db", dsn)
			lines := strings.Split(strings.TrimSpace(rotated), "\n")
			oldKey, _, _ := strings.Cut(first, "\t")
			if code != 0 || len(lines) != 3 || !strings.HasSuffix(lines[1], "\tsigning") || lines[1] == strings.TrimSpace(first) ||
				!strings.HasPrefix(lines[2], oldKey+"\tretired, published until ") {
				t.Errorf("doors rotate-key: exit %d, %q %q", code, rotated, stderr)
			}
			if code, _, _ := runCommand("doors", "frobnicate"); code != 2 {
				t.Errorf("doors frobnicate: exit %d, want 2", code)
			}
		})
	}
}
