package access_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// eventLog follows the check-in events a fixture's store has written. It
// leaves out AccessControlUpdate events: they report changes of members
// (the fixture's own, a sign-up), for doors, not check-ins.
type eventLog struct {
	f     *fixture
	seen  []checkin.Event
	after int64
}

// next returns the check-in events stored since the last call, once there
// are n.
func (l *eventLog) next(t *testing.T, n int) []checkin.Event {
	t.Helper()
	var events []checkin.Event
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		for _, e := range storetest.Events(t, l.f.db, l.after, 0) {
			l.after = e.Seq
			if e.Kind != checkin.EventAccessControlUpdate {
				events = append(events, e)
			}
		}
		if len(events) >= n || time.Now().After(deadline) {
			break
		}
	}
	l.seen = append(l.seen, events...)
	return events
}

// expect checks that a step stored events of these kinds, in order, each
// holding its record as the admin API shows it now.
func (l *eventLog) expect(t *testing.T, step string, kinds ...string) {
	t.Helper()
	events := l.next(t, len(kinds))
	var got []string
	for _, e := range events {
		got = append(got, e.Kind)
	}
	if !slices.Equal(got, kinds) {
		t.Fatalf("%s: events %v, want %v", step, got, kinds)
	}
	for _, e := range events {
		if want := l.f.shown(e); string(e.Record) != want {
			t.Errorf("%s: %s record\n%s\nwant it as the API shows it\n%s", step, e.Kind, e.Record, want)
		}
		if e.BusinessID != l.f.loc.ID {
			t.Errorf("%s: %s at location %d, want %d", step, e.Kind, e.BusinessID, l.f.loc.ID)
		}
	}
}

// shown returns the JSON the admin API shows now for an event's record.
func (f *fixture) shown(e checkin.Event) string {
	var id struct{ Id int64 }
	if err := json.Unmarshal(e.Record, &id); err != nil {
		f.t.Fatalf("%s record: %v", e.Kind, err)
	}
	var rec any
	if e.Kind == checkin.EventCheckinFailed {
		rec = storetest.Must(f.db.FailedCheckins().Find(f.ctx, id.Id))
	} else {
		rec = storetest.Must(f.db.Checkins().Find(f.ctx, id.Id))
	}
	return string(storetest.Must(json.Marshal(rec)))
}

// ledger checks that the events and the records agree: each check-in has
// its CoworkerCheckin event and, once closed, its CoworkerCheckout event,
// each FailedCheckin its CoworkerCheckinFailed event, and there is no
// other event.
func (l *eventLog) ledger(t *testing.T) {
	t.Helper()
	l.next(t, 0)
	count := map[string]int{}
	for _, e := range l.seen {
		var id struct{ Id int64 }
		_ = json.Unmarshal(e.Record, &id)
		count[e.Kind+"/"+string(storetest.Must(json.Marshal(id.Id)))]++
	}
	want := map[string]int{}
	for _, c := range l.f.checkins() {
		want[checkin.EventCheckin+"/"+string(storetest.Must(json.Marshal(c.ID)))] = 1
		if c.ToTime != nil {
			want[checkin.EventCheckout+"/"+string(storetest.Must(json.Marshal(c.ID)))] = 1
		}
	}
	for _, fc := range l.f.failed() {
		want[checkin.EventCheckinFailed+"/"+string(storetest.Must(json.Marshal(fc.ID)))] = 1
	}
	for k, n := range count {
		if want[k] != n {
			t.Errorf("event %s stored %d times, want %d", k, n, want[k])
		}
	}
	for k := range want {
		if count[k] == 0 {
			t.Errorf("no event %s", k)
		}
	}
}

// TestEventsOfEveryChange: each way a check-in opens or closes, and each
// FailedCheckin, stores its event with the change, and nothing else does.
func TestEventsOfEveryChange(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		l := &eventLog{f: f}
		post := func(body string, ok bool) {
			t.Helper()
			f.clock.Advance(time.Minute)
			if _, c := f.post(body); c.WasSuccessful != ok {
				t.Fatalf("%s: %+v, want success %v", body, c, ok)
			}
		}
		post(`{"pincode":"1234"}`, true)
		l.expect(t, "pincode check-in", checkin.EventCheckin)
		post(`{"pincode":"1234"}`, true)
		l.expect(t, "check-in while checked in")
		post(`{"pincode":"1234","toggle":true}`, true)
		l.expect(t, "toggle out", checkin.EventCheckout)
		post(`{"pincode":"9999"}`, false)
		l.expect(t, "wrong pincode", checkin.EventCheckinFailed)
		post(`{"accessCardId":"CARD-1"}`, true)
		l.expect(t, "card check-in", checkin.EventCheckin)
		post(`{"mac":"`+janeDevice+`","disconnect":true}`, true)
		l.expect(t, "disconnect", checkin.EventCheckout)

		f.token("GUEST-2026", 30, nil, nil)
		post(`{"token":"GUEST-2026","mac":"11:22:33:44:55:66"}`, true)
		l.expect(t, "token session", checkin.EventCheckin)
		post(`{"disconnect":true,"mac":"11:22:33:44:55:66"}`, true)
		l.expect(t, "token disconnect", checkin.EventCheckout)
		post(`{"token":"GUEST-2026","mac":"11:22:33:44:55:66"}`, true)
		l.expect(t, "token session again", checkin.EventCheckin)
		f.clock.Advance(time.Hour)
		if _, err := f.db.Sweep(f.ctx); err != nil {
			t.Fatal(err)
		}
		l.expect(t, "token minutes spent", checkin.EventCheckout)

		post(`{"pincode":"1234"}`, true)
		l.expect(t, "pincode check-in", checkin.EventCheckin)
		f.clock.Advance(24 * time.Hour)
		if n, err := f.db.Sweep(f.ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %d, %v; want 1 closed", n, err)
		}
		l.expect(t, "daily cut-off", checkin.EventCheckout)

		manual := checkin.Checkins.New()
		manual.CoworkerID, manual.BusinessID = &f.jane.ID, f.loc.ID
		id := storetest.Must(f.db.Checkins().Create(f.ctx, manual))
		l.expect(t, "manual check-in", checkin.EventCheckin)
		edit := storetest.Must(f.db.Checkins().Find(f.ctx, id))
		edit.ToTime = checkin.TimePtr(f.clock.Now())
		f.clock.Advance(time.Minute)
		if err := f.db.Checkins().Replace(f.ctx, edit); err != nil {
			t.Fatal(err)
		}
		l.expect(t, "admin sets ToTime", checkin.EventCheckout)
		edit.MacAddresses = ptr("AA:BB:CC:DD:EE:02")
		if err := f.db.Checkins().Replace(f.ctx, edit); err != nil {
			t.Fatal(err)
		}
		l.expect(t, "admin edits a closed check-in")
		past := checkin.Checkins.New()
		past.CoworkerID, past.BusinessID = &f.jane.ID, f.loc.ID
		past.FromTime, past.ToTime = checkin.NewTime(f.clock.Now().Add(-2*time.Hour)), checkin.TimePtr(f.clock.Now().Add(-time.Hour))
		storetest.Must(f.db.Checkins().Create(f.ctx, past))
		l.expect(t, "a past stay recorded", checkin.EventCheckin, checkin.EventCheckout)
		l.ledger(t)
	})
}
