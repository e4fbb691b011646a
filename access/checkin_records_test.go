package access_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestFailedCheckinRecord: a refusal's record names the member and the
// location when known, the source, the MACs, the member's teams and plan at
// the time, the specific reason, and the attempt time in UTC and local time.
func TestFailedCheckinRecord(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		jane := storetest.Must(f.db.Coworkers().Find(f.ctx, f.jane.ID))
		jane.Active = false
		if err := f.db.Coworkers().Replace(f.ctx, jane); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(90 * time.Second)
		f.post(`{"mac":"aa-bb-cc-dd-ee-01"}`)
		fc := f.lastFailed()
		want := checkin.FailedCheckin{
			CoworkerID: &f.jane.ID, CoworkerFullName: ptr("Jane Doe"), BusinessID: f.loc.ID, BusinessName: ptr("Acme"),
			Source: checkin.SourceNetworkActivity, MacAddresses: ptr(janeDevice),
			TeamsAtTheTimeOfCheckin: ptr("Blue"), TariffAtTheTimeOfCheckin: ptr("Hot desk"),
		}
		got := *fc
		got.Record, got.Description, got.CheckinAttemptTime, got.CheckinAttemptTimeLocal = checkin.Record{}, nil, checkin.Time{}, nil
		if g, w := mustJSON(got), mustJSON(want); g != w {
			t.Errorf("record =\n%s\nwant\n%s", g, w)
		}
		if !fc.CheckinAttemptTime.Equal(storetest.Start.Add(90*time.Second)) || fc.CheckinAttemptTimeLocal.Format(time.DateTime) != "2026-06-15 10:01:30" {
			t.Errorf("attempt time = %v UTC, %v local", fc.CheckinAttemptTime, fc.CheckinAttemptTimeLocal)
		}
		if fc.Description == nil || !contains(*fc.Description, "Jane Doe") || !contains(*fc.Description, "disabled") {
			t.Errorf("description = %v, want the specific reason", fc.Description)
		}
	})
}

// TestFailedCheckinDocument: the record reads, through the admin API, with
// exactly the fields of the spec's FailedCheckin document.
func TestFailedCheckinDocument(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.post(`{"accessCardId":"CARD-404"}`)
		raw, err := json.Marshal(f.lastFailed())
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		json.Unmarshal(raw, &doc)
		var keys []string
		for k := range doc {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		want := []string{"BusinessId", "BusinessName", "CheckinAttemptTime", "CheckinAttemptTimeLocal", "CoworkerFullName", "CoworkerId",
			"CreatedOn", "CustomFields", "Description", "DoorId", "Id", "IsNew", "LocalizationDetails", "MacAddresses", "Source", "SystemId",
			"TariffAtTheTimeOfCheckin", "TeamsAtTheTimeOfCheckin", "ToStringText", "UniqueId", "UpdatedBy", "UpdatedOn"}
		if !slices.Equal(keys, want) {
			t.Errorf("fields = %v\nwant %v", keys, want)
		}
		if doc["CheckinAttemptTime"] != "2026-06-15T09:00:00Z" || doc["CheckinAttemptTimeLocal"] != "2026-06-15T10:00:00" || doc["CoworkerId"] != nil {
			t.Errorf("document = %s", raw)
		}
	})
}

func mustJSON(v any) string {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		panic(err)
	}
	return string(b)
}
