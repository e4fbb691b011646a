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

// TestWriterRereadsChangedMembers: a member a decision has read in SQLite's
// writer serves its lock and its open check-in without a query while no
// row has changed since, and is read again once one has.
func TestWriterRereadsChangedMembers(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := checkin.Businesses.New()
	b.Name, b.WebAddress, b.TimeZone = "Acme", "acme", "Europe/London"
	businessID, err := db.Businesses().Create(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SeedMembers(ctx, businessID, 0, 0, "", []SeedMember{{FullName: "Jane Doe", Email: "jane@example.com"}}); err != nil {
		t.Fatal(err)
	}
	err = db.write(ctx, func(tx *Tx) error {
		dtx := &decisionTx{Tx: tx}
		ms, err := dtx.members(memberSelect+" WHERE c.email = ?", "jane@example.com")
		if err != nil || len(ms) != 1 {
			return fmt.Errorf("members: %v, %v", ms, err) // not t.Fatal: this runs in the writer's goroutine
		}
		id := ms[0].CoworkerID
		if _, fresh := dtx.readOf(id); !fresh {
			t.Error("a member just read in the writer is not taken as read")
		}
		if _, err := tx.Exec("UPDATE coworkers SET full_name = 'Jane Roe' WHERE id = ?", id); err != nil {
			return err
		}
		if r, fresh := dtx.readOf(id); fresh {
			t.Errorf("after a change the member is still taken as read: %q", r.member.FullName)
		}
		m, err := dtx.LockMember(id)
		if err != nil || m == nil || m.FullName != "Jane Roe" {
			t.Errorf("LockMember after the change = %+v, %v; want Jane Roe", m, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMemoDecisionSeesChangesMadeWhileItRan: a decision answered from the
// memo counts only if nothing it read changed before it ended; one that a
// write overtook runs again, and answers from what the write left.
func TestMemoDecisionSeesChangesMadeWhileItRan(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	b := checkin.Businesses.New()
	b.Name, b.WebAddress, b.TimeZone = "Acme", "acme", "Europe/London"
	bid, err := db.Businesses().Create(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = db.Businesses().Find(ctx, bid)
	c := checkin.Coworkers.New()
	c.BusinessID, c.FullName, c.Email, c.AccessCardID, c.Active = bid, "Jane", "jane@example.com", "C1", true
	cid, err := db.Coworkers().Create(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	active := func(tx checkin.DecisionTx) (bool, error) {
		ms, err := tx.MembersByCard(b.NetworkID, "C1")
		if err != nil || len(ms) != 1 {
			return false, fmt.Errorf("members %v, %v", ms, err)
		}
		return ms[0].Active, nil
	}
	for range 2 { // the first keeps the lookup in the memo, the second is answered from it
		if err := db.Decide(ctx, func(tx checkin.DecisionTx) error { _, err := active(tx); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if db.memo.answered.Load() == 0 {
		t.Fatal("no decision was answered from the memo")
	}
	runs, saw := 0, true
	err = db.Decide(ctx, func(tx checkin.DecisionTx) error {
		runs++
		if saw, err = active(tx); err != nil {
			return err
		}
		if runs == 1 { // the member is deactivated after the decision read them
			c, _ := db.Coworkers().Find(ctx, cid)
			c.Active = false
			return db.Coworkers().Replace(ctx, c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if saw || runs != 2 {
		t.Errorf("the decision ran %d times and last saw the member active %v; want 2 runs, the last seeing them inactive", runs, saw)
	}
}
