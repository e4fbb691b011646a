package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
)

// TestRefusalsAddedTogether: the refusals queued in one batch are added by
// shared statements. Each FailedCheckin is stored once, with its own
// fields; a throttling key several refusals name is counted once for each,
// in its own limit's window. A refusal whose rows cannot be added (its
// location does not exist) fails alone, its throttling failures with it:
// the others of its batch are then added one by one. So does one that
// makes the shared statements panic.
func TestRefusalsAddedTogether(t *testing.T) {
	db := openSQLiteForTest(t)
	ctx := context.Background()
	loc := checkin.Businesses.New()
	loc.Name, loc.WebAddress, loc.TimeZone = "Refused", "refused", "Europe/London"
	locID, err := db.Businesses().Create(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	refusalOf := func(locID int64, i int) *refusal {
		desc := fmt.Sprintf("refusal %d", i)
		return &refusal{
			ctx:    ctx,
			failed: []*checkin.FailedCheckin{{BusinessID: locID, Description: &desc, Source: checkin.SourceDoorAccess}},
			throttled: []checkin.ThrottleFailure{
				{Key: "shared", Window: time.Hour, Keep: time.Hour},
				{Key: fmt.Sprintf("own %d", i), Window: time.Hour, Keep: time.Hour},
				{Key: "other limit", Window: time.Minute, Keep: 2 * time.Minute},
			},
		}
	}
	// batch queues the refusals first..last-1 in one batch, with extra if
	// not nil, and returns what extra's write returned (a panic as an error).
	batch := func(first, last int, extra *refusal) error {
		t.Helper()
		release, held := holdWriter(t, db)
		errs := make(chan error, last-first)
		for i := first; i < last; i++ {
			go func() { errs <- db.writeRefusal(refusalOf(locID, i)) }()
		}
		extraErr := make(chan error, 1)
		if extra != nil {
			go func() {
				defer func() {
					if p := recover(); p != nil {
						extraErr <- fmt.Errorf("panic: %v", p)
					}
				}()
				extraErr <- db.writeRefusal(extra)
			}()
		}
		waitQueued(t, db, last-first+map[bool]int{true: 1}[extra != nil])
		release()
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		for range last - first {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if extra == nil {
			return nil
		}
		return <-extraErr
	}
	const n = 40
	batch(0, n, nil)
	if got := db.writer.together.Load(); got != n {
		t.Errorf("%d refusals added together, want %d", got, n)
	}
	if err := batch(n, 2*n, refusalOf(locID+1000, -2*n)); err == nil {
		t.Error("a refusal at a location that does not exist was stored")
	}
	// A refusal whose rows make the shared statements panic panics in its
	// own request only; the writer goes on.
	broken := refusalOf(locID, -1)
	broken.failed = append(broken.failed, nil)
	if err := batch(2*n, 3*n, broken); err == nil || !strings.HasPrefix(err.Error(), "panic: ") {
		t.Errorf("a refusal with a nil FailedCheckin: %v, want its own panic", err)
	}

	counts := map[string]int{}
	err = db.read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT description FROM failed_checkins")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				return err
			}
			counts[d]++
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 * n {
		if d := fmt.Sprintf("refusal %d", i); counts[d] != 1 {
			t.Errorf("%q stored %d times, want once", d, counts[d])
		}
	}
	if len(counts) != 3*n {
		t.Errorf("%d FailedCheckins stored, want %d", len(counts), 3*n)
	}
	// Each FailedCheckin stored has its one event; the refusals rolled
	// back have none.
	events, err := db.EventsAfter(ctx, 0, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	eventsOf := map[string]int{}
	for _, e := range events {
		var f checkin.FailedCheckin
		if err := json.Unmarshal(e.Record, &f); err != nil || e.Kind != checkin.EventCheckinFailed || f.Description == nil {
			t.Fatalf("event %s %s: %v", e.Kind, e.Record, err)
		}
		eventsOf[*f.Description]++
	}
	if !maps.Equal(eventsOf, counts) {
		t.Errorf("events of each FailedCheckin %v, want one each of %v", eventsOf, counts)
	}
	want := map[string]int{"shared": 3 * n, "other limit": 3 * n, "own 0": 1, fmt.Sprintf("own %d", 3*n-1): 1,
		fmt.Sprintf("own %d", -2*n): 0, "own -1": 0}
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	v, err := db.ThrottleView(ctx, 0, keys)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range want {
		if got := v.States[key].Failures; got != want {
			t.Errorf("key %q: %d failures, want %d", key, got, want)
		}
	}
}
