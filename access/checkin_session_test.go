package access_test

import (
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// Sessions, the daily cut-off and plans (API.md, "Sessions, tokens and plans").

// TestOneOpenCheckin: checking in again while in keeps the one open record
// and refreshes its last activity.
func TestOneOpenCheckin(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		for i, body := range []string{`{"pincode":"1234"}`, `{"accessCardId":"CARD-1"}`, `{"mac":"AA:BB:CC:DD:EE:01"}`} {
			f.clock.Advance(5 * time.Minute)
			if _, c := f.post(body); !c.WasSuccessful {
				t.Fatalf("%s: %+v", body, c)
			}
			open := f.open(f.jane.ID)
			if len(open) != 1 || len(f.checkins()) != 1 {
				t.Fatalf("after %d check-ins: %d open of %d, want 1 of 1", i+1, len(open), len(f.checkins()))
			}
			if !open[0].LastActivity.Equal(f.clock.Now()) || !open[0].FromTime.Equal(storetest.Start.Add(5*time.Minute)) {
				t.Errorf("after %d: from %v, last activity %v; want the first start and now", i+1, open[0].FromTime, open[0].LastActivity)
			}
		}
		if got := *f.open(f.jane.ID)[0].MacAddresses; got != janeDevice {
			t.Errorf("MacAddresses = %q, want the device seen", got)
		}
	})
}

// TestLastActivityResolution: a repeat check-in within a minute of the
// last activity recorded, from a MAC already recorded, writes nothing; a
// later one, or one from a new MAC, refreshes the record.
func TestLastActivityResolution(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		start := f.clock.Now()
		steps := []struct {
			advance  time.Duration
			body     string
			wantLast time.Time // the open check-in's LastActivity after the step
			wantMACs string
		}{
			{0, `{"pincode":"1234"}`, start, ""},
			{30 * time.Second, `{"pincode":"1234"}`, start, ""},
			{59 * time.Second, `{"accessCardId":"CARD-1"}`, start, ""},
			{60 * time.Second, `{"pincode":"1234"}`, start.Add(time.Minute), ""},
			{61 * time.Second, `{"mac":"AA:BB:CC:DD:EE:01"}`, start.Add(61 * time.Second), janeDevice},
			{90 * time.Second, `{"mac":"aa-bb-cc-dd-ee-01"}`, start.Add(61 * time.Second), janeDevice},
		}
		for _, s := range steps {
			f.clock.Set(start.Add(s.advance))
			if _, c := f.post(s.body); !c.WasSuccessful {
				t.Fatalf("+%v %s: %+v", s.advance, s.body, c)
			}
			open := f.open(f.jane.ID)
			if len(open) != 1 {
				t.Fatalf("+%v: %d open check-ins, want 1", s.advance, len(open))
			}
			macs := ""
			if open[0].MacAddresses != nil {
				macs = *open[0].MacAddresses
			}
			if got := open[0].LastActivity.Time; !got.Equal(s.wantLast) || macs != s.wantMACs {
				t.Errorf("+%v %s: LastActivity %v, MACs %q; want %v, %q", s.advance, s.body, got, macs, s.wantLast, s.wantMACs)
			}
		}
	})
}

// TestSessionEndsAtCutOff: a member's session lasts until the location's
// next daily cut-off, in its time zone.
func TestSessionEndsAtCutOff(t *testing.T) {
	tests := []struct {
		cutoff  string
		advance time.Duration // from Monday 09:00 UTC (10:00 London)
		want    string
	}{
		{"", 0, "2026-06-15T23:00:00 UTC"},                     // midnight in London
		{"90", 0, "2026-06-16T00:30:00 UTC"},                   // 01:30 in London
		{"01:30", 0, "2026-06-16T00:30:00 UTC"},                // the same, as a time of day
		{"01:30", 15 * time.Hour, "2026-06-16T00:30:00 UTC"},   // 01:00 London: still Monday's business day
		{"01:30", 16 * time.Hour, "2026-06-17T00:30:00 UTC"},   // 02:00 London: Tuesday's
		{"0", 24 * 150 * time.Hour, "2026-11-13T00:00:00 UTC"}, // London in winter is UTC
	}
	for _, tc := range tests {
		t.Run(tc.cutoff+"+"+tc.advance.String(), func(t *testing.T) {
			eachFixture(t, func(t *testing.T, f *fixture) {
				if tc.cutoff != "" {
					f.set(checkin.SettingDailyCutOffTime, tc.cutoff)
				}
				f.clock.Advance(tc.advance)
				_, c := f.post(`{"pincode":"1234"}`)
				want, _ := time.Parse(checkin.CheckinTimeFormat, tc.want)
				memberSession(t, c, f.jane.ID, tc.want, int64(want.Sub(f.clock.Now()).Seconds()))
			})
		})
	}
}

// TestAutomaticCheckout: open check-ins close at the cut-off that ends
// their business day, whether the sweep or the next check-in finds them.
func TestAutomaticCheckout(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.set(checkin.SettingDailyCutOffTime, "01:30")
		f.member(memberSpec{name: "Sam", email: "sam@example.com", pincode: "2222"})
		f.post(`{"pincode":"1234"}`)
		f.post(`{"pincode":"2222"}`)
		f.clock.Set(time.Date(2026, 6, 16, 0, 29, 0, 0, time.UTC)) // 01:29 London: before the cut-off
		if n, err := f.db.Sweep(f.ctx); err != nil || n != 0 {
			t.Fatalf("sweep before the cut-off closed %d (%v)", n, err)
		}
		f.clock.Set(time.Date(2026, 6, 16, 0, 31, 0, 0, time.UTC))
		if n, err := f.db.Sweep(f.ctx); err != nil || n != 2 {
			t.Fatalf("sweep after the cut-off closed %d (%v), want 2", n, err)
		}
		if n, _ := f.db.Sweep(f.ctx); n != 0 {
			t.Errorf("a second sweep closed %d, want 0", n)
		}
		for _, c := range f.checkins() {
			if c.ToTime == nil || !c.ToTime.Equal(time.Date(2026, 6, 16, 0, 30, 0, 0, time.UTC)) || !c.AutoCheckout || c.ToTimeLocal.Format("15:04") != "01:30" {
				t.Errorf("checkin %d closed at %v (%v local), auto %v; want the cut-off", c.ID, c.ToTime, c.ToTimeLocal, c.AutoCheckout)
			}
		}
		// A check-in left open across a cut-off the sweep missed is closed
		// at that cut-off when the member checks in again.
		f.post(`{"pincode":"1234"}`)
		f.clock.Set(time.Date(2026, 6, 17, 8, 0, 0, 0, time.UTC))
		f.post(`{"pincode":"1234"}`)
		cs := f.checkins()
		stale, fresh := cs[len(cs)-2], cs[len(cs)-1]
		if stale.ToTime == nil || !stale.ToTime.Equal(time.Date(2026, 6, 17, 0, 30, 0, 0, time.UTC)) || !stale.AutoCheckout || fresh.ToTime != nil {
			t.Errorf("stale closed at %v (auto %v), fresh open %v", stale.ToTime, stale.AutoCheckout, fresh.ToTime == nil)
		}
	})
}

// TestMemberAndPlanRules: inactive members and plans are refused, with the
// reason in the message and the record.
func TestMemberAndPlanRules(t *testing.T) {
	runCheckinCases(t, []checkinCase{
		{name: "an inactive member", setup: func(f *fixture) {
			jane := storetest.Must(f.db.Coworkers().Find(f.ctx, f.jane.ID))
			jane.Active = false
			if err := f.db.Coworkers().Replace(f.ctx, jane); err != nil {
				f.t.Fatal(err)
			}
		}, body: `{"pincode":"1234"}`, want: checkin.CodeNoAccessToSpace, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
			refusedAboutJane(checkin.SourceManual, "disabled")(t, f, c)
			if !contains(c.Message, "membership is not active") {
				t.Errorf("message = %q, want the reason", c.Message)
			}
		}},
		{name: "an inactive plan", setup: func(f *fixture) {
			plan := storetest.Must(f.db.Tariffs().Find(f.ctx, f.planID))
			plan.Active = false
			if err := f.db.Tariffs().Replace(f.ctx, plan); err != nil {
				f.t.Fatal(err)
			}
		}, body: `{"accessCardId":"CARD-1"}`, want: checkin.CodeNoAccessToSpace, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
			refusedAboutJane(checkin.SourceDoorAccess, "inactive")(t, f, c)
			if !contains(c.Message, "plan Hot desk is not active") {
				t.Errorf("message = %q, want the reason", c.Message)
			}
		}},
		{name: "a member without a plan", setup: func(f *fixture) { f.member(memberSpec{name: "Sam", email: "sam@example.com", pincode: "2222"}) },
			body: `{"pincode":"2222"}`},
	})
}

// TestPlanLimits: CheckinMonthLimit and CheckinWeekLimit count distinct
// business days, which start at the daily cut-off.
func TestPlanLimits(t *testing.T) {
	day := func(d, h, m int) time.Time { return time.Date(2026, 6, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name        string
		month, week *int64
		cutoff      string
		visits      []time.Time
		want        []bool // each visit admitted?
	}{
		{"two days a month", ptr(int64(2)), nil, "", []time.Time{day(15, 9, 0), day(16, 9, 0), day(16, 15, 0), day(17, 9, 0)},
			[]bool{true, true, true, false}},
		{"a new month starts afresh", ptr(int64(1)), nil, "", []time.Time{day(29, 9, 0), day(30, 9, 0), day(30+1, 9, 0)},
			[]bool{true, false, true}},
		{"three days an ISO week", nil, ptr(int64(3)), "", []time.Time{day(15, 9, 0), day(16, 9, 0), day(17, 9, 0), day(18, 9, 0), day(22, 9, 0)},
			[]bool{true, true, true, false, true}},
		// With a 01:30 cut-off, 00:10 UTC on the 17th (01:10 London) is still the 16th.
		{"days start at the cut-off", ptr(int64(2)), nil, "01:30", []time.Time{day(15, 9, 0), day(16, 9, 0), day(17, 0, 10), day(17, 9, 0)},
			[]bool{true, true, true, false}},
		{"zero days", nil, ptr(int64(0)), "", []time.Time{day(15, 9, 0)}, []bool{false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eachFixture(t, func(t *testing.T, f *fixture) {
				if tc.cutoff != "" {
					f.set(checkin.SettingDailyCutOffTime, tc.cutoff)
				}
				plan := storetest.Must(f.db.Tariffs().Find(f.ctx, f.planID))
				plan.CheckinMonthLimit, plan.CheckinWeekLimit = tc.month, tc.week
				if err := f.db.Tariffs().Replace(f.ctx, plan); err != nil {
					t.Fatal(err)
				}
				for i, when := range tc.visits {
					f.clock.Set(when)
					_, c := f.post(`{"toggle":true,"pincode":"1234"}`) // in, and out again below
					if c.WasSuccessful != tc.want[i] {
						t.Fatalf("visit %d at %v: %+v, want admitted %v", i, when, c, tc.want[i])
					}
					if c.WasSuccessful {
						f.post(`{"toggle":true,"pincode":"1234"}`)
					} else if !contains(c.Message, "Hot desk allows") {
						t.Errorf("message = %q, want the plan's limit", c.Message)
					}
				}
			})
		})
	}
}
