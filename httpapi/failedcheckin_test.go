package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

const failedCheckinsPath = "/api/spaces/failedcheckins"

// failedCheckinFieldOrder is the document of failedcheckin-entity.txt, field
// for field and in its order.
var failedCheckinFieldOrder = []string{"CoworkerId", "CoworkerFullName", "BusinessId", "BusinessName", "CheckinAttemptTime",
	"Source", "MacAddresses", "TeamsAtTheTimeOfCheckin", "TariffAtTheTimeOfCheckin", "Description", "CheckinAttemptTimeLocal",
	"Id", "UpdatedOn", "CreatedOn", "UniqueId", "UpdatedBy", "IsNew", "SystemId", "ToStringText", "LocalizationDetails", "CustomFields",
	"DoorId"} // this service's, after Nexudus's fields

// topLevelKeys returns the keys of a JSON object in the order written.
func topLevelKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", body)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// seedFailedCheckin stores a refused attempt of a member, as the check-in
// endpoint records one.
func seedFailedCheckin(t *testing.T, a *apitest.API, loc, member int64, source int64, description string) int64 {
	t.Helper()
	b := a.Get(a.AdminToken(), fmt.Sprintf("%s/%d", businessesPath, loc))
	m := a.Get(a.AdminToken(), fmt.Sprintf("%s/%d", coworkersPath, member))
	now := a.Clock.Now()
	return a.AddFailedCheckin(&checkin.FailedCheckin{
		CoworkerID: &member, CoworkerFullName: checkin.StringPtr(m["FullName"].(string)),
		BusinessID: loc, BusinessName: checkin.StringPtr(b["Name"].(string)),
		CheckinAttemptTime: checkin.NewTime(now), Source: source, Description: &description,
		CheckinAttemptTimeLocal: checkin.LocalTimePtr(now, time.UTC),
	})
}

func TestFailedCheckinIsReadOnly(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc, member := londonMember(t, a)
		id := seedFailedCheckin(t, a, loc, member, checkin.SourceDoorAccess, "Inactive plan")
		path := fmt.Sprintf("%s/%d", failedCheckinsPath, id)
		before := a.Do("GET", path, admin, nil)
		if got := topLevelKeys(t, before.Body); !reflect.DeepEqual(got, failedCheckinFieldOrder) {
			t.Errorf("fields = %v,\nwant %v", got, failedCheckinFieldOrder)
		}
		rec := before.Object(t)
		if rec["Description"] != "Inactive plan" || rec["Source"] != jsonInt(2) || apitest.Int(t, rec["CoworkerId"]) != member {
			t.Errorf("record = %v", rec)
		}
		body := map[string]any{"Id": id, "BusinessId": loc, "Description": "changed"}
		for _, tc := range []struct{ method, path string }{
			{"POST", failedCheckinsPath}, {"PUT", failedCheckinsPath}, {"PUT", path}, {"DELETE", path},
		} {
			r := a.Do(tc.method, tc.path, admin, body)
			if r.Status != http.StatusMethodNotAllowed || r.Object(t)["WasSuccessful"] != false || r.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: got %s with Allow %q, want 405 with Allow: GET, HEAD", tc.method, tc.path, r, r.Header.Get("Allow"))
			}
			if r := a.Do(tc.method, tc.path, "", body); r.Status != http.StatusUnauthorized {
				t.Errorf("%s %s without a token: got %s, want 401", tc.method, tc.path, r)
			}
		}
		if after := a.Do("GET", path, admin, nil); !bytes.Equal(after.Body, before.Body) {
			t.Errorf("the record changed:\n%s\n%s", before.Body, after.Body)
		}
		if total := a.Get(admin, failedCheckinsPath)["TotalItems"]; total != jsonInt(1) {
			t.Errorf("TotalItems = %v, want 1", total)
		}
	})
}
