package access_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestRaceSweepClosesEachCheckinOnce: the automatic check-out at the daily
// cut-off, run at once by several goroutines of every instance (and racing
// the members' next check-ins, which close a stale check-in themselves),
// closes each open check-in once, at the cut-off that ended its day.
func TestRaceSweepClosesEachCheckinOnce(t *testing.T) {
	const days, perDay = 3, 15
	tests := []struct {
		name      string
		checkInto bool // the members check in again while the sweeps run
	}{
		{"sweeps alone", false},
		{"sweeps racing the next check-ins", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eachRace(t, func(t *testing.T, r *raceFixture) {
				r.set(checkin.SettingDailyCutOffTime, "01:30") // 00:30 UTC in June, in London
				pincodes := make([]string, days*perDay)
				for i := range pincodes {
					pincodes[i] = fmt.Sprintf("%04d", 5000+i)
					r.member(memberSpec{name: fmt.Sprintf("Member %d", i), email: fmt.Sprintf("m%d@example.com", i), pincode: pincodes[i]})
				}
				for day := range days { // members of day d check in on Monday + d, 09:00 UTC
					r.clock.Set(storetest.Start.AddDate(0, 0, day))
					n := r.tally(r.posts(perDay, func(i int) string { return `{"pincode":"` + pincodes[day*perDay+i] + `"}` }))
					if n.ok != perDay {
						t.Fatalf("day %d: %d check-ins, refused %v", day, n.ok, n.refused)
					}
				}
				r.clock.Set(storetest.Start.AddDate(0, 0, days)) // Thursday 09:00: every day above has ended
				swept := r.sweepAtOnce(4, func() {
					if tc.checkInto {
						n := r.tally(r.posts(len(pincodes), func(i int) string { return `{"pincode":"` + pincodes[i] + `"}` }))
						if n.ok != len(pincodes) {
							t.Errorf("check-ins during the sweep: %d, refused %v", n.ok, n.refused)
						}
					}
				})
				if want := len(pincodes); swept > want || !tc.checkInto && swept != want {
					t.Errorf("the sweeps closed %d check-ins in all; %d were open", swept, want)
				}
				r.wantClosedAtCutOff(days, len(pincodes), tc.checkInto)
				if n, err := r.db.Sweep(r.ctx); err != nil || n != 0 {
					t.Errorf("a later sweep closed %d (%v), want 0", n, err)
				}
			})
		})
	}
}

// sweepAtOnce runs Sweep from the given number of goroutines of each
// instance at once, and during alongside them; it returns the total the
// sweeps reported closed.
func (r *raceFixture) sweepAtOnce(goroutines int, during func()) int {
	var total atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, db := range r.stores {
		for range goroutines {
			wg.Go(func() {
				<-start
				n, err := db.Sweep(r.ctx)
				if err != nil {
					r.t.Errorf("sweep: %v", err)
				}
				total.Add(int64(n))
			})
		}
	}
	close(start)
	during()
	wg.Wait()
	return int(total.Load())
}

// wantClosedAtCutOff checks every check-in from the days before now: closed
// automatically, at 00:30 UTC after the 09:00 it started. With the members'
// new check-ins, each member also has exactly one open check-in, from now.
func (r *raceFixture) wantClosedAtCutOff(days, members int, checkedInAgain bool) {
	r.t.Helper()
	open := map[int64]int{}
	old := 0
	for _, c := range r.checkins() {
		if !c.FromTime.Before(r.clock.Now()) {
			open[*c.CoworkerID]++
			if c.ToTime != nil {
				r.t.Errorf("check-in %d from now is closed", c.ID)
			}
			continue
		}
		old++
		start := c.FromTime.Time
		want := time.Date(start.Year(), start.Month(), start.Day()+1, 0, 30, 0, 0, time.UTC)
		if c.ToTime == nil || !c.ToTime.Equal(want) || !c.AutoCheckout {
			r.t.Errorf("check-in %d from %v: closed at %v, automatically %v; want %v, automatically", c.ID, start, c.ToTime, c.AutoCheckout, want)
		}
	}
	if old != members {
		r.t.Errorf("check-ins from the days before = %d, want %d", old, members)
	}
	wantOpen := 0
	if checkedInAgain {
		wantOpen = members
	}
	if len(open) != wantOpen {
		r.t.Errorf("members checked in now = %d, want %d", len(open), wantOpen)
	}
	for id, n := range open {
		if n != 1 {
			r.t.Errorf("coworker %d has %d check-ins from now, want 1", id, n)
		}
	}
}
