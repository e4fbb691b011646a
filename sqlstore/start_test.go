package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// startFixture is a location with one member per card name.
type startFixture struct {
	db        *sqlstore.DB
	clock     *checkin.ManualClock
	loc       *checkin.Business
	coworkers map[string]int64
}

func newStartFixture(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock, cards ...string) *startFixture {
	ctx := context.Background()
	b := checkin.Businesses.New()
	b.Name, b.WebAddress, b.TimeZone = "Acme "+cards[0], "acme-"+strings.ToLower(cards[0]), "Europe/London"
	bid := storetest.Must(db.Businesses().Create(ctx, b))
	f := &startFixture{db: db, clock: clock, loc: storetest.Must(db.Businesses().Find(ctx, bid)), coworkers: map[string]int64{}}
	for _, card := range cards {
		c := checkin.Coworkers.New()
		c.BusinessID, c.FullName, c.Email, c.AccessCardID, c.Active = bid, "Member "+card, card+"@example.com", card, true
		f.coworkers[card] = storetest.Must(db.Coworkers().Create(ctx, c))
	}
	return f
}

// start is the effect of a member's first check-in here.
func (f *startFixture) start(card string) checkin.StartCheckin {
	id := f.coworkers[card]
	return checkin.StartCheckin{Checkin: &checkin.Checkin{CoworkerID: &id, BusinessID: f.loc.ID,
		Source: checkin.SourceDoorAccess, FromTime: checkin.NewTime(f.clock.Now())}}
}

// open counts the member's open check-ins.
func (f *startFixture) open(t *testing.T, card string) int {
	all, _, err := f.db.Checkins().List(context.Background(), checkin.Checkins.DefaultListQuery())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range all {
		if c.CoworkerID != nil && *c.CoworkerID == f.coworkers[card] && c.ToTime == nil {
			n++
		}
	}
	return n
}

func (f *startFixture) deactivate(t *testing.T, card string) {
	err := f.db.Coworkers().Update(context.Background(), f.coworkers[card], func(c *checkin.Coworker) error {
		c.Active = false
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDecideAgainWhenTheMemberChanged: a first check-in decided on a
// member who changes before it is written (on PostgreSQL, decided without
// a lock and written by the start batcher; on SQLite, decided on the memo
// or a snapshot and written by the writer) is decided again on the member
// as they are, and only that decision's effects are stored.
func TestDecideAgainWhenTheMemberChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		ctx := context.Background()
		f := newStartFixture(t, db, clock, "C1", "C2", "C3")
		for _, tc := range []struct {
			card     string
			change   func()
			wantRuns int
			wantOpen int
		}{
			{"C1", nil, 1, 1},
			{"C2", func() { f.deactivate(t, "C2") }, 2, 0},
			{"C3", func() {
				if err := db.Decide(ctx, func(checkin.DecisionView) ([]checkin.Effect, error) {
					return []checkin.Effect{f.start("C3")}, nil
				}); err != nil {
					t.Fatal(err)
				}
			}, 2, 1},
		} {
			runs := 0 // the runs that read the member (a lookup the memo lacks ends a run before)
			err := db.Decide(ctx, func(v checkin.DecisionView) ([]checkin.Effect, error) {
				ms, err := v.MembersByCard(f.loc.NetworkID, tc.card)
				if err != nil || len(ms) != 1 {
					return nil, fmt.Errorf("members %v, %v", ms, err)
				}
				m, err := v.Member(ms[0].CoworkerID)
				if err != nil {
					return nil, err
				}
				open, err := v.OpenCheckin(m.CoworkerID, f.loc.ID)
				if err != nil {
					return nil, err
				}
				if runs++; runs == 1 && tc.change != nil {
					tc.change()
				}
				if !m.Active || open != nil {
					return nil, nil
				}
				return []checkin.Effect{f.start(tc.card)}, nil
			})
			if err != nil {
				t.Fatalf("%s: %v", tc.card, err)
			}
			if got := f.open(t, tc.card); runs != tc.wantRuns || got != tc.wantOpen {
				t.Errorf("%s: %d runs, %d open check-ins; want %d runs, %d open", tc.card, runs, got, tc.wantRuns, tc.wantOpen)
			}
		}
	})
}

// TestStartBatch: PostgreSQL's start batcher writes, in one transaction,
// the first check-in of each member who is as their decision read them,
// once per member; the others are answered as changed, to be decided
// again. A batch that fails before its COMMIT stores nothing, events
// included, and every job in it is decided again.
func TestStartBatch(t *testing.T) {
	ctx := context.Background()
	clock := checkin.NewManualClock(storetest.Start)
	db := storetest.Open(t, "postgres", clock)
	f := newStartFixture(t, db, clock, "A", "B", "C", "D", "E")
	noChange := func() {}
	changed := sqlstore.ErrMemberChangedForTest
	for _, tc := range []struct {
		name   string
		starts []checkin.StartCheckin
		change func()
		want   []error
	}{
		{"two of one member", []checkin.StartCheckin{f.start("A"), f.start("A"), f.start("B")}, noChange, []error{nil, changed, nil}},
		{"a member checked in meanwhile", []checkin.StartCheckin{f.start("A"), f.start("C")}, noChange, []error{changed, nil}},
		{"nobody to write", []checkin.StartCheckin{f.start("A"), f.start("B")}, noChange, []error{changed, changed}},
		{"a member deactivated meanwhile", []checkin.StartCheckin{f.start("D"), f.start("E")}, func() { f.deactivate(t, "D") }, []error{changed, nil}},
	} {
		after := lastSeq(t, db)
		errs := db.StartBatchForTest(ctx, tc.starts, tc.change)
		for i := range tc.want {
			if !errors.Is(errs[i], tc.want[i]) || (tc.want[i] == nil) != (errs[i] == nil) {
				t.Errorf("%s: job %d: %v, want %v", tc.name, i, errs[i], tc.want[i])
			}
		}
		written := 0
		for _, err := range tc.want {
			if err == nil {
				written++
			}
		}
		if got := checkinEvents(t, db, after, written); got != written {
			t.Errorf("%s: %d check-in events, want %d", tc.name, got, written)
		}
	}
	for card, want := range map[string]int{"A": 1, "B": 1, "C": 1, "D": 0, "E": 1} {
		if got := f.open(t, card); got != want {
			t.Errorf("%s: %d open check-ins, want %d", card, got, want)
		}
	}

	// A check-in written by a batch is answered as the admin API reads it.
	h := newStartFixture(t, db, clock, "H")
	s := h.start("H")
	if errs := db.StartBatchForTest(ctx, []checkin.StartCheckin{s}, noChange); errs[0] != nil {
		t.Fatal(errs[0])
	}
	answered, _ := json.Marshal(s.Checkin)
	stored, _ := json.Marshal(storetest.Must(db.Checkins().Find(ctx, s.Checkin.ID)))
	if string(answered) != string(stored) {
		t.Errorf("batch answered the check-in\n%s\nstored\n%s", answered, stored)
	}

	// A check-in at a location that does not exist fails the batch.
	g := newStartFixture(t, db, clock, "F", "G")
	lost := g.start("G")
	lost.Checkin.BusinessID += 1000
	after := lastSeq(t, db)
	errs := db.StartBatchForTest(ctx, []checkin.StartCheckin{g.start("F"), lost}, noChange)
	for i, err := range errs {
		if !errors.Is(err, changed) {
			t.Errorf("failed batch: job %d: %v, want it decided again", i, err)
		}
	}
	if open, events := g.open(t, "F"), checkinEvents(t, db, after, 0); open != 0 || events != 0 {
		t.Errorf("failed batch: %d open check-ins of F, %d check-in events; want none", open, events)
	}
}

// checkinEvents counts the check-in events after afterSeq, once there are
// at least n events.
func checkinEvents(t *testing.T, db *sqlstore.DB, afterSeq int64, n int) int {
	got := 0
	for _, e := range storetest.Events(t, db, afterSeq, n) {
		if e.Kind == checkin.EventCheckin {
			got++
		}
	}
	return got
}

// lastSeq is the sequence number of the last event stored.
func lastSeq(t *testing.T, db *sqlstore.DB) int64 {
	events := storetest.Events(t, db, 0, 0)
	if len(events) == 0 {
		return 0
	}
	return events[len(events)-1].Seq
}
