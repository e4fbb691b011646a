package httpapi_test

// Tests of the Checkin entity's admin routes (manual check-ins). The public
// check-in endpoint has tests of its own.

import (
	"fmt"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

const checkinsPath = "/api/spaces/checkins"

// londonMember creates a location in Europe/London with a member in a team
// and on a plan, and returns their ids.
func londonMember(t *testing.T, a *apitest.API) (loc, member int64) {
	t.Helper()
	admin := a.AdminToken()
	loc = a.Create(admin, businessesPath, map[string]any{"Name": "London", "WebAddress": fmt.Sprintf("london-%d", a.Next()), "TimeZone": "Europe/London"})
	team := a.Create(admin, "/api/spaces/teams", map[string]any{"BusinessId": loc, "Name": "Blue"})
	plan := a.Create(admin, tariffsPath, map[string]any{"BusinessId": loc, "Name": "Hot desk"})
	member = a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane Doe",
		"Email": fmt.Sprintf("jane%d@example.com", a.Next()), "TariffId": plan, "Teams": []int64{team}})
	return loc, member
}

func TestCheckinCreateIsAManualCheckin(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc, member := londonMember(t, a)
		a.Clock.Advance(30 * time.Minute) // 09:30 UTC is 10:30 in London in June
		id := a.Create(admin, checkinsPath, map[string]any{"BusinessId": loc, "CoworkerId": member, "MacAddresses": "aa-bb-cc-dd-ee-ff"})
		got := a.Get(admin, fmt.Sprintf("%s/%d", checkinsPath, id))
		want := map[string]any{
			"Source": jsonInt(1), "FromTime": "2026-06-15T09:30:00Z", "FromTimeLocal": "2026-06-15T10:30:00", "ToTime": nil, "ToTimeLocal": nil,
			"LastActivity": "2026-06-15T09:30:00Z", "CoworkerFullName": "Jane Doe", "BusinessName": "London", "CountsTowardsPlanLimits": true,
			"TeamsAtTheTimeOfCheckin": "Blue", "TariffAtTheTimeOfCheckin": "Hot desk", "MacAddresses": "AA:BB:CC:DD:EE:FF",
		}
		wantFields(t, "a manual check-in", got, want)
		second := a.Do("POST", checkinsPath, admin, map[string]any{"BusinessId": loc, "CoworkerId": member})
		if second.Status != http.StatusConflict {
			t.Errorf("a second open check-in: got %s, want 409", second)
		}

		a.Clock.Advance(2 * time.Hour)
		got["ToTime"] = "2026-06-15T17:00:00Z"
		a.Want(a.Do("PUT", checkinsPath, admin, got), http.StatusOK, "check out with PUT")
		closed := a.Get(admin, fmt.Sprintf("%s/%d", checkinsPath, id))
		if closed["ToTime"] != "2026-06-15T17:00:00Z" || closed["ToTimeLocal"] != "2026-06-15T18:00:00" || closed["FromTime"] != "2026-06-15T09:30:00Z" {
			t.Errorf("after PUT: FromTime, ToTime, ToTimeLocal = %v, %v, %v", closed["FromTime"], closed["ToTime"], closed["ToTimeLocal"])
		}
		a.Create(admin, checkinsPath, map[string]any{"BusinessId": loc, "CoworkerId": member}) // closed: a new one may open
	})
}

func TestCheckinReplaceKeepsFromTimeWhenLeftOut(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc, member := londonMember(t, a)
		id := a.Create(admin, checkinsPath, map[string]any{"BusinessId": loc, "CoworkerId": member})
		a.Clock.Advance(3 * time.Hour)
		body := map[string]any{"Id": id, "BusinessId": loc, "CoworkerId": member, "ToTime": "2026-06-15T11:00:00Z"}
		a.Want(a.Do("PUT", checkinsPath, admin, body), http.StatusOK, "PUT without FromTime")
		got := a.Get(admin, fmt.Sprintf("%s/%d", checkinsPath, id))
		if got["FromTime"] != "2026-06-15T09:00:00Z" || got["ToTime"] != "2026-06-15T11:00:00Z" {
			t.Errorf("FromTime, ToTime = %v, %v; want the stored FromTime kept", got["FromTime"], got["ToTime"])
		}
		body["ToTime"] = "2026-06-15T08:00:00Z"
		wantFieldError(t, a.Do("PUT", checkinsPath, admin, body), "ToTime")
	})
}

func TestCheckinFieldsAreValidated(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc, member := londonMember(t, a)
		network := a.Get(admin, fmt.Sprintf("%s/%d", businessesPath, loc))["NetworkId"]
		sibling := a.Create(admin, businessesPath, map[string]any{"Name": "Sibling", "WebAddress": "sibling", "NetworkId": network})
		for _, tc := range []struct {
			name      string
			set       map[string]any
			wantField string
		}{
			{"a member of another location of the network", map[string]any{"BusinessId": sibling}, ""},
			{"no member", map[string]any{"CoworkerId": nil}, "CoworkerId"},
			{"unknown source", map[string]any{"Source": 9}, "Source"},
			{"ends before it starts", map[string]any{"FromTime": "2026-06-15T09:00:00Z", "ToTime": "2026-06-15T08:00:00Z"}, "ToTime"},
			{"not a MAC", map[string]any{"MacAddresses": "phone"}, "MacAddresses"},
		} {
			body := map[string]any{"BusinessId": loc, "CoworkerId": member}
			maps.Copy(body, tc.set)
			r := a.Do("POST", checkinsPath, admin, body)
			if tc.wantField != "" {
				wantFieldError(t, r, tc.wantField)
			} else if r.Status != http.StatusOK {
				t.Errorf("%s: got %s, want 200", tc.name, r)
			}
		}
	})
}
