package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// twoInstances opens two stores on one PostgreSQL schema, as two instances
// of the service, with a location, and waits until both listen for
// throttling keys.
func twoInstances(t *testing.T) (a, b *sqlstore.DB, clock *checkin.ManualClock, loc int64) {
	t.Helper()
	clock = checkin.NewManualClock(storetest.Start)
	a, dsn := storetest.OpenDSN(t, "postgres", clock)
	b = storetest.Must(sqlstore.Open(context.Background(), dsn, clock, nil))
	t.Cleanup(func() { b.Close() })
	l := checkin.Businesses.New()
	l.Name, l.WebAddress, l.TimeZone = "Heard", "heard", "Europe/London"
	loc = storetest.Must(a.Businesses().Create(context.Background(), l))
	for _, db := range []*sqlstore.DB{a, b} {
		eventually(t, "the key listener to listen", func() bool { _, on := db.ThrottleKeysListenedForTest(); return on })
		viewAt(t, db, loc) // the location's settings, cached as a check finds them
	}
	return a, b, clock, loc
}

// viewAt is the throttling view of keys at a location, as a check reads it
// (with no location, a view always reads the table).
func viewAt(t *testing.T, db *sqlstore.DB, loc int64, keys ...string) checkin.ThrottleView {
	t.Helper()
	return storetest.Must(db.ThrottleView(context.Background(), loc, keys))
}

// eventually waits for what another connection delivers (a notification),
// up to a bound far above its usual milliseconds.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestThrottleKeysHeardByAnotherInstance: on PostgreSQL a check whose keys
// the key filter does not hold reads no table, so a failure counted by one
// instance must reach the other's filter, and the other's check must then
// see it.
func TestThrottleKeysHeardByAnotherInstance(t *testing.T) {
	a, b, _, loc := twoInstances(t)
	card := checkin.ThrottleFailure{Key: "i:card:heard", Window: time.Hour, Keep: time.Hour}
	if v := viewAt(t, b, loc, card.Key); len(v.States) != 0 {
		t.Fatalf("before any failure: %+v", v.States)
	}
	fail(t, a, card)
	if !a.ThrottleKeyHeldForTest(card.Key) {
		t.Error("the instance that counted the failure does not hold its key at once")
	}
	eventually(t, "the other instance to hear of the key", func() bool { return b.ThrottleKeyHeldForTest(card.Key) })
	if v := viewAt(t, b, loc, card.Key); v.States[card.Key].Failures != 1 {
		t.Errorf("the other instance sees %+v, want 1 failure", v.States)
	}
}

// TestThrottleKeysPurgedEverywhere: a purge on one instance has every
// instance read the table again, so that their filters forget the keys
// purged (else an attack's keys would send checks to the table for ever).
// The instance that counted a key keeps it until the read after (see
// keyListener), so a second purge makes it forget too.
func TestThrottleKeysPurgedEverywhere(t *testing.T) {
	a, b, clock, _ := twoInstances(t)
	purge := func(want int) {
		t.Helper()
		if n := storetest.Must(a.PurgeThrottle(context.Background())); n != want {
			t.Fatalf("purged %d keys, want %d", n, want)
		}
	}
	short := checkin.ThrottleFailure{Key: "short", Window: time.Minute, Keep: time.Minute}
	long := checkin.ThrottleFailure{Key: "long", Window: time.Hour, Keep: time.Hour}
	fail(t, a, short, long)
	eventually(t, "the other instance to hear of the keys", func() bool { return b.ThrottleKeyHeldForTest(short.Key) })
	clock.Advance(2 * time.Minute)
	purge(1)
	eventually(t, "the other instance to forget the key purged", func() bool { return !b.ThrottleKeyHeldForTest(short.Key) })
	if !a.ThrottleKeyHeldForTest(short.Key) {
		t.Error("the instance that counted the key purged forgot it at the first read after")
	}
	next := checkin.ThrottleFailure{Key: "next", Window: time.Minute, Keep: time.Minute}
	fail(t, b, next)
	clock.Advance(2 * time.Minute)
	purge(1)
	for _, db := range []*sqlstore.DB{a, b} {
		eventually(t, "the filter to forget the key purged", func() bool { return !db.ThrottleKeyHeldForTest(short.Key) })
		if !db.ThrottleKeyHeldForTest(long.Key) {
			t.Error("after the purge the filter lost the key left")
		}
	}
}

// TestThrottleKeyCountedWhileReading: a key counted here while the
// listener reads the table, by a transaction that commits after the read,
// is held by the new filter at once, not only when its notification
// arrives.
func TestThrottleKeyCountedWhileReading(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		short := checkin.ThrottleFailure{Key: "short", Window: time.Minute, Keep: time.Minute}
		for i := range 50 {
			fail(t, db, short)
			clock.Advance(2 * time.Minute)
			if n := storetest.Must(db.PurgeThrottle(context.Background())); n != 1 {
				t.Fatalf("round %d: purged %d keys, want 1", i, n)
			}
			fail(t, db, short) // while the listener may be reading the table
			if v := view(t, db, short.Key); v.States[short.Key].Failures != 1 {
				t.Fatalf("round %d: the key counted again: %+v, want 1 failure", i, v.States)
			}
		}
	})
}

// TestThrottleKeyListenerComesBack: when the listener's connection is
// lost, it connects again and reads the table, so that a key counted while
// it was away is held.
func TestThrottleKeyListenerComesBack(t *testing.T) {
	a, b, _, loc := twoInstances(t)
	times, _ := b.ThrottleKeysListenedForTest()
	admin := storetest.SQL(t, storetest.DSN(t, "postgres"))
	var killed int
	err := admin.QueryRow("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()",
		sqlstore.ThrottleListenerNameForTest).Scan(&killed)
	if err != nil || killed < 2 {
		t.Fatalf("terminated %d listeners (%v), want both of this test's", killed, err)
	}
	away := checkin.ThrottleFailure{Key: "i:card:away", Window: time.Hour, Keep: time.Hour}
	fail(t, a, away)
	eventually(t, "the listener to come back", func() bool {
		n, on := b.ThrottleKeysListenedForTest()
		return n > times && on
	})
	if v := viewAt(t, b, loc, away.Key); v.States[away.Key].Failures != 1 {
		t.Errorf("after the listener came back: %+v, want 1 failure", v.States)
	}
}
