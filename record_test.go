package checkin

import (
	"regexp"
	"testing"
	"time"
)

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// UniqueIds are version 7 UUIDs, and one made a millisecond later sorts
// after: that order is what keeps the unique indexes' inserts at their end.
func TestNewUUIDOrderedByTime(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	prev := ""
	for i := range 1000 {
		id := newUUIDAt(at.Add(time.Duration(i) * time.Millisecond))
		if !uuidV7.MatchString(id) {
			t.Fatalf("%q is not a version 7 UUID", id)
		}
		if id <= prev {
			t.Fatalf("%q, made a millisecond after %q, sorts before it", id, prev)
		}
		if seen[id] {
			t.Fatalf("%q made twice", id)
		}
		seen[id], prev = true, id
	}
	if got, want := newUUIDAt(at)[:13], "01a22bae-b680"; got != want {
		t.Errorf("the time part of %s is %s, want %s", at, got, want)
	}
	if a, b := newUUIDAt(at), newUUIDAt(at); a == b {
		t.Errorf("two UUIDs in one millisecond are both %s", a)
	}
}
