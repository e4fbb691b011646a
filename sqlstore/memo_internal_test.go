package sqlstore

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
)

// TestKeyFilterForgetsPurgedKeys: the memo's key filter holds every key
// with a row, and once the purge has committed, no longer the keys purged
// (a purge that would leave them would send their lookups to the database
// for ever).
func TestKeyFilterForgetsPurgedKeys(t *testing.T) {
	clock := checkin.NewManualClock(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	fails := []checkin.ThrottleFailure{{Key: "short", Window: time.Minute, Keep: time.Minute}, {Key: "long", Window: time.Hour, Keep: time.Hour}}
	if err := db.AddThrottleFailures(ctx, fails); err != nil {
		t.Fatal(err)
	}
	keys := db.memo.keys.Load()
	if !keys.mayHold("short") || !keys.mayHold("long") {
		t.Fatalf("after the failures the filter holds short %v, long %v; want both", keys.mayHold("short"), keys.mayHold("long"))
	}
	clock.Advance(2 * time.Minute)
	if n, err := db.PurgeThrottle(ctx); err != nil || n != 1 {
		t.Fatalf("purge: %d, %v; want 1 key", n, err)
	}
	keys = db.memo.keys.Load()
	if keys.mayHold("short") || !keys.mayHold("long") {
		t.Errorf("after the purge the filter holds short %v, long %v; want only long", keys.mayHold("short"), keys.mayHold("long"))
	}
}

// TestMemoYieldsToTheHeap: past half of the heap's soft limit the memo
// forgets what it keeps and keeps nothing more, until the heap is back
// under 40 % of it.
func TestMemoYieldsToTheHeap(t *testing.T) {
	const limit = 100
	m := newMemo()
	put := func() bool {
		m.put("k", m.now(), 1)
		_, ok := m.get("k")
		return ok
	}
	steps := []struct {
		live     uint64
		wantKeep bool
	}{
		{30, true},
		{49, true},
		{51, false}, // forgets, and keeps nothing
		{45, false},
		{41, false},
		{39, true}, // back under 40 %
	}
	for _, s := range steps {
		m.yield(s.live, limit)
		if got := put(); got != s.wantKeep {
			t.Errorf("live heap %d%% of the limit: kept %v, want %v", s.live, got, s.wantKeep)
		}
	}
	m.put("k", m.now(), 1)
	m.yield(60, limit)
	if _, ok := m.get("k"); ok {
		t.Errorf("an entry kept before the heap passed half the limit is still answered")
	}
}

// TestMemoOption: on SQLite the memo is on by default and with memo=on,
// off with memo=off; memo=on and memo=off are the store's own --db
// options, and any other value is refused with a message that names it.
func TestMemoOption(t *testing.T) {
	tests := []struct {
		option   string
		wantMemo bool
		wantErr  string
	}{
		{"", true, ""},
		{"?memo=on", true, ""},
		{"?memo=off", false, ""},
		{"?memo=yes", false, `memo="yes": want memo=on or memo=off`},
	}
	for _, tc := range tests {
		t.Run(tc.option, func(t *testing.T) {
			db, err := Open(context.Background(), filepath.Join(t.TempDir(), "m.db")+tc.option, nil, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("open: %v, want an error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer db.Close()
			if got := db.memo != nil; got != tc.wantMemo {
				t.Errorf("--db m.db%s: memo %v, want %v", tc.option, got, tc.wantMemo)
			}
		})
	}
}

// TestWriterDecidesAgainOnAStaleView: the writer applies a decision's
// effects as decided on the memo or a snapshot only while nothing the view
// read has changed; a view that a write overtook is decided again in the
// writer, and the effects applied are the new decision's.
func TestWriterDecidesAgainOnAStaleView(t *testing.T) {
	ctx := context.Background()
	db, b, cid := openWithJane(t)
	bid := b.ID
	// decide opens a check-in named after the member as the view has them;
	// on its first run, rename changes the member after the view read them.
	decide := func(runs *int, rename string) func(checkin.DecisionView) ([]checkin.Effect, error) {
		return func(v checkin.DecisionView) ([]checkin.Effect, error) {
			*runs++
			ms, err := v.MembersByCard(b.NetworkID, "C1")
			if err != nil || len(ms) != 1 {
				return nil, fmt.Errorf("members %v, %v", ms, err)
			}
			if *runs == 1 && rename != "" {
				c, _ := db.Coworkers().Find(ctx, cid)
				c.FullName = rename
				if err := db.Coworkers().Replace(ctx, c); err != nil {
					return nil, err
				}
			}
			name := ms[0].FullName
			return []checkin.Effect{checkin.StartCheckin{Checkin: &checkin.Checkin{
				BusinessID: bid, FromTime: checkin.NewTime(time.Now()), CoworkerFullName: &name}}}, nil
		}
	}
	warm := func(v checkin.DecisionView) ([]checkin.Effect, error) {
		_, err := v.MembersByCard(b.NetworkID, "C1")
		return nil, err
	}
	for range 2 { // the first keeps the lookup in the memo, the second is answered from it
		if err := db.Decide(ctx, warm); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		rename   string
		wantRuns int
		wantName string
	}{{"", 1, "Jane"}, {"Jane Roe", 2, "Jane Roe"}} {
		runs := 0
		if err := db.Decide(ctx, decide(&runs, tc.rename)); err != nil {
			t.Fatal(err)
		}
		var name string
		err := db.read(ctx, func(tx *Tx) error {
			return tx.QueryRow("SELECT coworker_full_name FROM checkins ORDER BY id DESC LIMIT 1").Scan(&name)
		})
		if err != nil {
			t.Fatal(err)
		}
		if runs != tc.wantRuns || name != tc.wantName {
			t.Errorf("rename %q: %d runs, check-in of %q; want %d runs, %q", tc.rename, runs, name, tc.wantRuns, tc.wantName)
		}
	}
}

// TestMemoDecisionSeesChangesMadeWhileItRan: a decision answered from the
// memo counts only if nothing it read changed before it ended; one that a
// write overtook runs again, and answers from what the write left.
func TestMemoDecisionSeesChangesMadeWhileItRan(t *testing.T) {
	ctx := context.Background()
	db, b, cid := openWithJane(t)
	active := func(tx checkin.DecisionView) (bool, error) {
		ms, err := tx.MembersByCard(b.NetworkID, "C1")
		if err != nil || len(ms) != 1 {
			return false, fmt.Errorf("members %v, %v", ms, err)
		}
		return ms[0].Active, nil
	}
	for range 2 { // the first keeps the lookup in the memo, the second is answered from it
		if err := db.Decide(ctx, func(v checkin.DecisionView) ([]checkin.Effect, error) { _, err := active(v); return nil, err }); err != nil {
			t.Fatal(err)
		}
	}
	if db.memo.answered.Load() == 0 {
		t.Fatal("no decision was answered from the memo")
	}
	runs, saw := 0, true
	var err error
	err = db.Decide(ctx, func(v checkin.DecisionView) ([]checkin.Effect, error) {
		runs++
		if saw, err = active(v); err != nil {
			return nil, err
		}
		if runs == 1 { // the member is deactivated after the decision read them
			c, _ := db.Coworkers().Find(ctx, cid)
			c.Active = false
			return nil, db.Coworkers().Replace(ctx, c)
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if saw || runs != 2 {
		t.Errorf("the decision ran %d times and last saw the member active %v; want 2 runs, the last seeing them inactive", runs, saw)
	}
}

// TestViewIsStaleOnceTheBatchChangesIt: in the writer, a view is no longer
// true once the batch running it has changed the check-ins of a member it
// read, or any table that every lookup may read, even before the batch
// commits; nor is a view that read what the memo does not follow.
func TestViewIsStaleOnceTheBatchChangesIt(t *testing.T) {
	m := newMemo()
	fresh := func() (*view, *changes) {
		return &view{memo: &memoRun{m: m, seq: m.now(), used: []int64{7}}}, &changes{m: m, seen: map[int64]struct{}{}}
	}
	v, c := fresh()
	c.mark(8)
	if !v.stillTrue(c) {
		t.Error("a change to another member's check-ins made the view stale")
	}
	c.mark(7)
	if v.stillTrue(c) {
		t.Error("the view is still true after the batch changed the check-ins of a member it read")
	}
	v, c = fresh()
	c.all = true
	if v.stillTrue(c) {
		t.Error("the view is still true after the batch changed a table every lookup may read")
	}
	v, c = fresh()
	v.untracked = true
	if v.stillTrue(c) {
		t.Error("a view that read what the memo does not follow is taken as still true")
	}
}

// TestMemoKeptThroughTheReadinessProbe: the write probe behind /readyz,
// which load balancers call every few seconds, writes a table no lookup
// reads, and leaves the memo's lookups as they were; a change to a table
// the lookups read (a plan) makes them stale.
func TestMemoKeptThroughTheReadinessProbe(t *testing.T) {
	ctx := context.Background()
	db, b, _ := openWithJane(t)
	bid := b.ID
	kept := func() bool {
		v := &view{Tx: db.newTx(ctx, nil), memo: &memoRun{m: db.memo, seq: db.memo.now(), only: true}}
		_, err := v.MembersByCard(b.NetworkID, "C1")
		return err == nil
	}
	keep := func() {
		if err := db.Decide(ctx, func(v checkin.DecisionView) ([]checkin.Effect, error) {
			_, err := v.MembersByCard(b.NetworkID, "C1")
			return nil, err
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name     string
		write    func() error
		wantKept bool
	}{
		{"the write probe", func() error { return db.WriteProbe(ctx) }, true},
		{"a new plan", func() error {
			p := checkin.Tariffs.New()
			p.BusinessID, p.Name = bid, "Day pass"
			_, err := db.Tariffs().Create(ctx, p)
			return err
		}, false},
	} {
		keep()
		if !kept() {
			t.Fatalf("%s: the lookup was not kept before the write", tc.name)
		}
		if err := tc.write(); err != nil {
			t.Fatal(err)
		}
		if got := kept(); got != tc.wantKept {
			t.Errorf("after %s the lookup is kept %v, want %v", tc.name, got, tc.wantKept)
		}
	}
}

// openWithJane opens a SQLite store, closed when the test ends, with one
// location and Jane, a member there with card C1.
func openWithJane(t *testing.T) (*DB, *checkin.Business, int64) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b := checkin.Businesses.New()
	b.Name, b.WebAddress, b.TimeZone = "Acme", "acme", "Europe/London"
	bid, err := db.Businesses().Create(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	b, err = db.Businesses().Find(ctx, bid)
	if err != nil {
		t.Fatal(err)
	}
	c := checkin.Coworkers.New()
	c.BusinessID, c.FullName, c.Email, c.AccessCardID, c.Active = bid, "Jane", "jane@example.com", "C1", true
	cid, err := db.Coworkers().Create(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	return db, b, cid
}
