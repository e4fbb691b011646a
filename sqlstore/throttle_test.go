package sqlstore_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
	"github.com/checkin-oss/checkin/throttle"
)

// fail counts one failure against keys, as a refused decision does.
func fail(t *testing.T, db *sqlstore.DB, fails ...checkin.ThrottleFailure) {
	t.Helper()
	err := db.Decide(context.Background(), func(checkin.DecisionView) ([]checkin.Effect, error) {
		return []checkin.Effect{checkin.CountFailures{Failures: fails}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func view(t *testing.T, db *sqlstore.DB, keys ...string) checkin.ThrottleView {
	t.Helper()
	return storetest.Must(db.ThrottleView(context.Background(), 0, keys))
}

// TestThrottleUpsertIsTheRule: the store counts failures as throttle.Fail
// does, window resets included; a key named n times in one write counts
// as n calls of Fail at that time.
func TestThrottleUpsertIsTheRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		l := checkin.ThrottleLimit{Failures: 2, Window: time.Hour, MaxDelay: time.Minute}
		f := checkin.ThrottleFailure{Key: "a:1:pincode:203.0.113.9", Window: l.Window, Keep: l.Window}
		var want checkin.ThrottleState
		steps := []struct {
			after time.Duration
			times int
		}{
			{0, 1}, {time.Second, 1}, {time.Minute, 3}, {30 * time.Minute, 1}, {29 * time.Minute, 2},
			{time.Minute, 1}, {90 * time.Minute, 2}, {time.Second, 1}, {2 * time.Hour, 3}, {time.Minute, 1},
		}
		for _, step := range steps {
			clock.Advance(step.after)
			fail(t, db, slices.Repeat([]checkin.ThrottleFailure{f}, step.times)...)
			for range step.times {
				want = throttle.Fail(l, want, clock.Now())
			}
			got, ok := view(t, db, f.Key, "another").States[f.Key]
			if !ok || got.Failures != want.Failures || !got.WindowStart.Equal(want.WindowStart) || !got.LastFailure.Equal(want.LastFailure) {
				t.Fatalf("at %v, %d failures: stored %+v, want %+v", clock.Now(), step.times, got, want)
			}
		}
		if n := len(view(t, db, "another").States); n != 0 {
			t.Errorf("a key never failed has a state")
		}
	})
}

// TestThrottleSharedByInstances: two stores on one database (two
// instances) count into one state, concurrently, without losing a failure.
func TestThrottleSharedByInstances(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			clock := checkin.NewManualClock(storetest.Start)
			dsn := storetest.DSN(t, dialect)
			if dialect == "sqlite" {
				dsn += "?memo=off" // two processes on one SQLite file (docs/operations.md)
			}
			var stores []*sqlstore.DB
			for range 2 {
				db, err := sqlstore.Open(context.Background(), dsn, clock, nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				stores = append(stores, db)
			}
			f := checkin.ThrottleFailure{Key: "i:password:x", Window: time.Hour, Keep: time.Hour}
			g := checkin.ThrottleFailure{Key: "l:1:password", Window: time.Hour, Keep: time.Hour}
			var wg sync.WaitGroup
			for i := range 40 {
				wg.Go(func() { fail(t, stores[i%2], f, g) })
			}
			wg.Wait()
			for i, db := range stores {
				v := view(t, db, f.Key, g.Key)
				if v.States[f.Key].Failures != 40 || v.States[g.Key].Failures != 40 {
					t.Errorf("instance %d sees %+v, want 40 failures of each key", i, v.States)
				}
			}
		})
	}
}

// TestAddThrottleFailuresOutsideADecision: a refused password grant counts
// its failures in a write of its own, by the same upsert as a decision,
// concurrently without losing any.
func TestAddThrottleFailuresOutsideADecision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		ctx := context.Background()
		addr := checkin.ThrottleFailure{Key: "a:-1:password:203.0.113.9", Window: 24 * time.Hour, Keep: 24 * time.Hour}
		email := checkin.ThrottleFailure{Key: "i:password:x", Window: time.Hour, Keep: time.Hour}
		if err := db.AddThrottleFailures(ctx, nil); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if err := db.AddThrottleFailures(ctx, []checkin.ThrottleFailure{email, addr}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		fail(t, db, email) // a password check-in with that email
		v := view(t, db, addr.Key, email.Key)
		if v.States[addr.Key].Failures != 10 || v.States[email.Key].Failures != 11 || !v.States[addr.Key].LastFailure.Equal(clock.Now()) {
			t.Errorf("states %+v, want 10 failures of the address and 11 of the email, at %v", v.States, clock.Now())
		}
		clock.Advance(time.Hour)
		if err := db.AddThrottleFailures(ctx, []checkin.ThrottleFailure{email, addr}); err != nil {
			t.Fatal(err)
		}
		v = view(t, db, addr.Key, email.Key)
		if v.States[addr.Key].Failures != 11 || v.States[email.Key].Failures != 1 {
			t.Errorf("an hour later: %+v, want the address's window going on (11) and the email's new (1)", v.States)
		}
	})
}

// TestThrottleKeyNamedTwice: failures counted in one write against keys of
// several limits, one key named twice, are each counted; the rows go in
// multi-row upserts, which PostgreSQL refuses to let change a row twice.
func TestThrottleKeyNamedTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		hour := checkin.ThrottleFailure{Key: "i:card:x", Window: time.Hour, Keep: time.Hour}
		day := checkin.ThrottleFailure{Key: "a:1:card:203.0.113.9", Window: 24 * time.Hour, Keep: 24 * time.Hour}
		other := checkin.ThrottleFailure{Key: "i:card:y", Window: time.Hour, Keep: time.Hour}
		fail(t, db, hour, day, other, hour)
		v := view(t, db, hour.Key, day.Key, other.Key)
		if v.States[hour.Key].Failures != 2 || v.States[day.Key].Failures != 1 || v.States[other.Key].Failures != 1 {
			t.Errorf("states %+v, want 2, 1 and 1 failures", v.States)
		}
	})
}

func TestThrottlePurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		ctx := context.Background()
		short := checkin.ThrottleFailure{Key: "short", Window: time.Minute, Keep: time.Minute}
		long := checkin.ThrottleFailure{Key: "long", Window: time.Hour, Keep: time.Hour}
		fail(t, db, short, long)
		clock.Advance(2 * time.Minute)
		if n := storetest.Must(db.PurgeThrottle(ctx)); n != 1 {
			t.Errorf("purged %d keys, want 1", n)
		}
		if v := view(t, db, "short", "long"); len(v.States) != 1 || v.States["long"].Failures != 1 {
			t.Errorf("after the purge: %+v, want only the long key", v.States)
		}
		// With the memo, the purge rebuilt its key filter: a key purged and
		// failing again is seen again.
		fail(t, db, short)
		if v := view(t, db, "short"); v.States["short"].Failures != 1 {
			t.Errorf("the purged key failing again: %+v, want 1 failure", v.States)
		}
	})
}

func TestCountThrottleKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		first, last := throttle.SprayRange(1)
		key := func(s string) checkin.ThrottleFailure {
			return checkin.ThrottleFailure{Key: s, Window: time.Hour, Keep: time.Hour}
		}
		fail(t, db, key(first+"old"))
		clock.Advance(time.Hour)
		fail(t, db, key(first+"a"), key(first+"b"), key("p:10:c"), key("p:2:d"), key("l:1:pincode"))
		var n int
		n, err := db.CountThrottleKeys(context.Background(), first, last, clock.Now().Add(-10*time.Minute))
		if err != nil || n != 2 {
			t.Errorf("pincode keys of location 1 failed in the last 10 minutes: %d (%v), want 2", n, err)
		}
	})
}
