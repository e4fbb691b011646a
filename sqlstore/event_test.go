package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// failedAt returns a FailedCheckin at a location, told apart by desc.
func failedAt(businessID int64, desc string) *checkin.FailedCheckin {
	return &checkin.FailedCheckin{BusinessID: businessID, Description: &desc, Source: checkin.SourceDoorAccess}
}

func newLocation(t *testing.T, db *sqlstore.DB, addr string) int64 {
	b := checkin.Businesses.New()
	b.Name, b.WebAddress, b.TimeZone = addr, addr, "Europe/London"
	return storetest.Must(db.Businesses().Create(context.Background(), b))
}

// TestEventRolledBackWithItsChange: a change whose transaction is rolled
// back leaves no event; one committed leaves exactly one, whose record is
// the record as the admin API shows it.
func TestEventRolledBackWithItsChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		ctx := context.Background()
		loc := newLocation(t, db, "acme")
		boom := errors.New("boom")
		err := db.WriteForTest(ctx, func(tx *sqlstore.Tx) error {
			if err := tx.AddFailedCheckinForTest(failedAt(loc, "rolled back")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("write: %v, want boom", err)
		}
		if events := storetest.Must(db.EventsAfter(ctx, 0, nil, 0)); len(events) != 0 {
			t.Fatalf("a rolled-back change left %d events: %+v", len(events), events)
		}
		f := failedAt(loc, "kept")
		if err := db.WriteForTest(ctx, func(tx *sqlstore.Tx) error { return tx.AddFailedCheckinForTest(f) }); err != nil {
			t.Fatal(err)
		}
		events := storetest.Events(t, db, 0, 1)
		if len(events) != 1 || events[0].Kind != checkin.EventCheckinFailed || events[0].BusinessID != loc || events[0].ID == "" {
			t.Fatalf("events %+v, want one CoworkerCheckinFailed at %d", events, loc)
		}
		stored := storetest.Must(db.FailedCheckins().Find(ctx, f.ID))
		if want := string(storetest.Must(json.Marshal(stored))); string(events[0].Record) != want {
			t.Errorf("event record\n%s\nwant the record as the API shows it\n%s", events[0].Record, want)
		}
		if !events[0].Time.Equal(clock.Now()) {
			t.Errorf("event time %v, want %v", events[0].Time, clock.Now())
		}
	})
}

// TestEventsAfterMissesNone: an event of a transaction still open is not
// returned, nor any event after it, so that a reader going on from the
// last sequence number it saw never misses the open one once it commits.
// On PostgreSQL the later transaction commits first.
func TestEventsAfterMissesNone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		ctx := context.Background()
		loc, other := newLocation(t, db, "acme"), newLocation(t, db, "other")
		flushed, release := make(chan struct{}), make(chan struct{})
		first := make(chan error, 1)
		go func() {
			first <- db.WriteForTest(ctx, func(tx *sqlstore.Tx) error {
				if err := tx.AddFailedCheckinForTest(failedAt(loc, "first")); err != nil {
					return err
				}
				err := tx.FlushEventsForTest()
				close(flushed)
				<-release
				return err
			})
		}()
		<-flushed
		second := make(chan error, 1)
		go func() {
			second <- db.WriteForTest(ctx, func(tx *sqlstore.Tx) error { return tx.AddFailedCheckinForTest(failedAt(other, "second")) })
		}()
		if storetest.IsPostgres(t) {
			if err := <-second; err != nil {
				t.Fatal(err)
			}
		}
		early := storetest.Must(db.EventsAfter(ctx, 0, nil, 0))
		if len(early) != 0 {
			t.Errorf("while the first transaction is open, EventsAfter returned %d events; want none", len(early))
		}
		close(release)
		for _, c := range []chan error{first, second} {
			if storetest.IsPostgres(t) && c == second {
				continue
			}
			if err := <-c; err != nil {
				t.Fatal(err)
			}
		}
		events := storetest.Events(t, db, 0, 2)
		if len(events) != 2 || events[0].BusinessID != loc || events[1].BusinessID != other || events[0].Seq >= events[1].Seq {
			t.Fatalf("events %+v, want the first's then the second's", events)
		}
		after := storetest.Must(db.EventsAfter(ctx, events[0].Seq, nil, 0))
		if len(after) != 1 || after[0].ID != events[1].ID {
			t.Errorf("after the first: %+v, want the second", after)
		}
		only := storetest.Must(db.EventsAfter(ctx, 0, []int64{other}, 10))
		if len(only) != 1 || only[0].BusinessID != other {
			t.Errorf("at the other location: %+v, want its one", only)
		}
		if one := storetest.Must(db.EventsAfter(ctx, 0, nil, 1)); len(one) != 1 || one[0].ID != events[0].ID {
			t.Errorf("limit 1: %+v, want the first", one)
		}
	})
}

// TestEventsNoWebhookHearsAreStoredDispatched: an event of a location
// without an active webhook is stored already dispatched, so that the
// dispatcher has nothing to mark; one of a location with a webhook waits
// for the dispatcher and gets its delivery.
func TestEventsNoWebhookHearsAreStoredDispatched(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		ctx := context.Background()
		quiet, heard := newLocation(t, db, "quiet"), newLocation(t, db, "heard")
		w := checkin.Webhooks.New()
		w.BusinessID, w.Name, w.Action, w.URL = heard, "door sync", checkin.ActionOf(checkin.EventCheckinFailed), "https://example.com/hook"
		storetest.Must(db.Webhooks().Create(ctx, w))
		for _, loc := range []int64{quiet, heard} {
			if err := db.WriteForTest(ctx, func(tx *sqlstore.Tx) error { return tx.AddFailedCheckinForTest(failedAt(loc, "event")) }); err != nil {
				t.Fatal(err)
			}
		}
		if n := storetest.Must(db.DispatchEvents(ctx, 100)); n != 1 {
			t.Errorf("the dispatcher took %d events, want 1: the heard location's", n)
		}
		if n := storetest.Must(db.DispatchEvents(ctx, 100)); n != 0 {
			t.Errorf("a second dispatch took %d events, want none", n)
		}
		if n := storetest.Must(db.DeliveryBacklog(ctx)); n != 1 {
			t.Errorf("backlog %d, want the heard location's one delivery", n)
		}
	})
}
