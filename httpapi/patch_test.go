package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// TestPatchChangesOnlyWhatItNames: a JSON merge patch (RFC 7396) of one
// field keeps every other, where a PUT of that one field clears them.
func TestPatchChangesOnlyWhatItNames(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		plan := a.Create(admin, tariffsPath, map[string]any{"BusinessId": loc, "Name": "Desk", "CheckinMonthLimit": 10})
		member := a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com", "TariffId": plan})
		stay := a.Create(admin, checkinsPath, map[string]any{"BusinessId": loc, "CoworkerId": member, "Source": 2,
			"CountsTowardsPlanLimits": false, "MacAddresses": "AA:BB:CC:DD:EE:FF", "FromTime": "2026-06-15T08:00:00Z"})
		path := func(p string, id int64) string { return fmt.Sprintf("%s/%d", p, id) }
		for _, tc := range []struct {
			name, path, body, contentType string
			want                          map[string]string
		}{
			{"plan's name", path(tariffsPath, plan), `{"Name":"Hot desk"}`, "application/merge-patch+json",
				map[string]string{"Name": "Hot desk", "Active": "true", "CheckinMonthLimit": "10"}},
			{"check-out", path(checkinsPath, stay), `{"ToTime":"2026-06-15T10:00:00Z"}`, "application/json",
				map[string]string{"ToTime": "2026-06-15T10:00:00Z", "Source": "2", "CountsTowardsPlanLimits": "false", "MacAddresses": "AA:BB:CC:DD:EE:FF"}},
			{"null clears", path(coworkersPath, member), `{"TariffId":null,"id":` + fmt.Sprint(member) + `}`, "application/merge-patch+json",
				map[string]string{"TariffId": "<nil>", "Active": "true", "FullName": "Jane"}},
			{"a form", path(coworkersPath, member), "FullName=Jane+Doe", "application/x-www-form-urlencoded",
				map[string]string{"FullName": "Jane Doe", "Email": "jane@example.com", "Active": "true"}},
		} {
			r := a.Do("PATCH", tc.path, admin, tc.body, "Content-Type: "+tc.contentType)
			if got := createdID(t, a.Want(r, http.StatusOK, tc.name)); got != apitest.Int(t, a.Get(admin, tc.path)["Id"]) {
				t.Errorf("%s: answered Id %d", tc.name, got)
			}
			rec := a.Get(admin, tc.path)
			for field, want := range tc.want {
				if got := fmt.Sprint(rec[field]); got != want {
					t.Errorf("%s: %s = %s, want %s", tc.name, field, got, want)
				}
			}
		}

		desk := a.NewUser("Tariff-Read", "Tariff-List")
		for _, tc := range []struct {
			name, path, token, body string
			want                    int
		}{
			{"invalid value", path(tariffsPath, plan), admin, `{"CheckinMonthLimit":99}`, http.StatusBadRequest},
			{"another Id", path(tariffsPath, plan), admin, `{"Id":12345}`, http.StatusBadRequest},
			{"not an object", path(tariffsPath, plan), admin, `[]`, http.StatusBadRequest},
			{"no Edit role", path(tariffsPath, plan), desk.Token, `{"Name":"Mine"}`, http.StatusForbidden},
			{"no such record", path(tariffsPath, 9999), admin, `{"Name":"X"}`, http.StatusNotFound},
			{"read-only entity", path(failedCheckinsPath, 1), admin, `{"Description":"X"}`, http.StatusMethodNotAllowed},
		} {
			if r := a.Do("PATCH", tc.path, tc.token, tc.body); r.Status != tc.want {
				t.Errorf("%s: got %s, want %d", tc.name, r, tc.want)
			}
		}
		if got := a.Get(admin, path(tariffsPath, plan)); got["Name"] != "Hot desk" || fmt.Sprint(got["CheckinMonthLimit"]) != "10" {
			t.Errorf("refused patches changed the plan: %v", got)
		}
	})
}

// TestKioskCheckout: a front-desk kiosk finds the member by pincode,
// creates a check-in, and checks out by PUTting the whole record it read
// back with ToTime set; nothing else of the record changes.
func TestKioskCheckout(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		jane := a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com", "AccessPincode": "4242"})
		a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Sam", "Email": "sam@example.com", "AccessPincode": "142420"})
		kiosk := a.NewUser("Coworker-List", "Checkin-Create", "Checkin-Read", "Checkin-Edit")

		found := a.Get(kiosk.Token, coworkersPath+"?Coworker_AccessPincode=4242")["Records"].([]any)
		if len(found) != 1 || apitest.Int(t, found[0].(map[string]any)["Id"]) != jane {
			t.Fatalf("find by pincode 4242: %v, want Jane alone", found)
		}
		stay := a.Create(kiosk.Token, checkinsPath, map[string]any{"BusinessId": loc, "CoworkerId": jane})
		rec := a.Get(kiosk.Token, fmt.Sprintf("%s/%d", checkinsPath, stay))
		if rec["ToTime"] != nil {
			t.Fatalf("a new check-in is closed: %v", rec)
		}
		rec["ToTime"] = "2026-06-15T17:00:00Z"
		a.Want(a.Do("PUT", checkinsPath, kiosk.Token, rec), http.StatusOK, "check out by PUT of the whole record")
		after := a.Get(admin, fmt.Sprintf("%s/%d", checkinsPath, stay))
		for _, field := range []string{"CoworkerId", "BusinessId", "Source", "FromTime", "CountsTowardsPlanLimits", "CoworkerFullName", "FromTimeLocal"} {
			if fmt.Sprint(after[field]) != fmt.Sprint(rec[field]) {
				t.Errorf("%s changed from %v to %v", field, rec[field], after[field])
			}
		}
		if after["ToTime"] != "2026-06-15T17:00:00Z" {
			t.Errorf("ToTime = %v, want the check-out", after["ToTime"])
		}
		open := a.Get(admin, checkinsPath+"?Checkin_ToTime=null")
		if apitest.Int(t, open["TotalItems"]) != 0 {
			t.Errorf("open check-ins after the check-out: %v", open["Records"])
		}
	})
}

// TestConcurrentPatchesKeepEveryChange: PATCHes of different fields of one
// record, sent at once, each keep their change: none saves a copy read
// before another's change over it.
func TestConcurrentPatchesKeepEveryChange(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		member := a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com"})
		path := fmt.Sprintf("%s/%d", coworkersPath, member)
		fields := []string{"FullName", "CompanyName", "MobilePhone"}
		for round := range 8 {
			var wg sync.WaitGroup
			for _, field := range fields {
				wg.Go(func() {
					body := fmt.Sprintf(`{%q: "%s %d"}`, field, field, round)
					if r := a.Do("PATCH", path, admin, body); r.Status != http.StatusOK {
						t.Errorf("round %d, PATCH %s: %s", round, field, r)
					}
				})
			}
			wg.Wait()
			rec := a.Get(admin, path)
			for _, field := range fields {
				if want := fmt.Sprintf("%s %d", field, round); rec[field] != want {
					t.Fatalf("round %d: %s = %v, want %q (a change was lost)", round, field, rec[field], want)
				}
			}
		}
	})
}
