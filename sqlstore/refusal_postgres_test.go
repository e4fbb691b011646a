package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestRefusalBatchFailsAlone: on PostgreSQL, a refusal that cannot be
// stored (its location does not exist) fails alone: the others of its
// batch are written one by one, each with its event.
func TestRefusalBatchFailsAlone(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, "postgres", checkin.NewManualClock(storetest.Start))
	loc := checkin.Businesses.New()
	loc.Name, loc.WebAddress, loc.TimeZone = "Refused", "refused", "Europe/London"
	locID := storetest.Must(db.Businesses().Create(ctx, loc))
	var failed []*checkin.FailedCheckin
	for i := range 6 {
		desc := fmt.Sprintf("refusal %d", i)
		f := &checkin.FailedCheckin{BusinessID: locID, Description: &desc, Source: checkin.SourceDoorAccess}
		if i == 3 {
			f.BusinessID = locID + 1000
		}
		failed = append(failed, f)
	}
	errs := db.WriteRefusalBatchForTest(ctx, failed)
	for i, err := range errs {
		if (err != nil) != (i == 3) {
			t.Errorf("refusal %d: %v, want an error only for the one at no location (3)", i, err)
		}
	}
	stored := map[string]bool{}
	for _, e := range storetest.Events(t, db, 0, 5) {
		var f checkin.FailedCheckin
		if err := json.Unmarshal(e.Record, &f); err != nil || f.Description == nil {
			t.Fatalf("event %s: %v", e.Record, err)
		}
		if _, err := db.FailedCheckins().Find(ctx, f.ID); err != nil {
			t.Errorf("%s has an event, but: %v", *f.Description, err)
		}
		stored[*f.Description] = true
	}
	if len(stored) != 5 || stored["refusal 3"] {
		t.Errorf("stored with their events: %v, want the five others", stored)
	}
}
