package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// TestFormPost: what a form post or Python's requests.post(data=...) sends
// is read as the fields' types; a list is a repeated key, "Key[]" or a
// comma-separated value.
func TestFormPost(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		t1, t2 := a.Create(admin, teamsPath, a.Sample("Team", loc)), a.Create(admin, teamsPath, a.Sample("Team", loc))
		form := url.Values{"businessid": {fmt.Sprint(loc)}, "FullName": {"Jane Form"}, "Email": {"jane@example.com"},
			"AllowNetworkCheckin": {"True"}, "Active": {"false"}, "Teams": {fmt.Sprint(t1), fmt.Sprint(t2)}, "AccessPincode": {"0042"}}
		id := a.Create(admin, coworkersPath, form)
		got := a.Get(admin, fmt.Sprintf("%s/%d", coworkersPath, id))
		if got["FullName"] != "Jane Form" || got["AllowNetworkCheckin"] != true || got["Active"] != false || got["AccessPincode"] != "0042" ||
			fmt.Sprint(got["Teams"]) != fmt.Sprintf("[%d %d]", t1, t2) {
			t.Errorf("form-posted coworker = %v", got)
		}
		user := a.Create(admin, usersPath, url.Values{"Email": {"desk@example.com"}, "Roles[]": {"Team-List", "Team-Read"}})
		if roles := fmt.Sprint(a.Get(admin, fmt.Sprintf("%s/%d", usersPath, user))["Roles"]); roles != "[Team-List Team-Read]" {
			t.Errorf("Roles[] form = %s", roles)
		}
		r := a.Do("POST", usersPath, admin, "Email=x%40example.com&IsAdmin=perhaps", "Content-Type: application/x-www-form-urlencoded")
		if e := wantFieldError(t, r, "IsAdmin"); e != nil && !strings.Contains(r.String(), `\"perhaps\" is not true or false`) {
			t.Errorf("a bad form value: %s, want the field and the value named", r)
		}
	})
}

// TestLooseValues: numbers and booleans in strings, enum names, every date
// spelling listed, and keys in any letter case are read as Nexudus's binder
// reads them; what still does not parse is a 400 naming field and value.
func TestLooseValues(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		member := a.Create(admin, coworkersPath, a.Sample("Coworker", loc))
		for _, tc := range []struct {
			name     string
			body     string
			field    string // of the answer to check, or of the error
			want     string // the field's value as read back, or a part of the error message
			wantFail bool
		}{
			{"number in a string", `{"BusinessId":"%[1]d","CoworkerId":"%[2]d","FromTime":"2026-06-15T08:00:00Z"}`, "BusinessId", "%[1]d", false},
			{"enum name", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"Source":"DoorAccess","FromTime":"2026-06-15T08:00:00Z"}`, "Source", "2", false},
			{"enum name any case", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"Source":"networkactivity","FromTime":"2026-06-15T08:00:00Z"}`, "Source", "3", false},
			{"enum number in a string", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"Source":"4","FromTime":"2026-06-15T08:00:00Z"}`, "Source", "4", false},
			{"boolean in a string", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"CountsTowardsPlanLimits":"False","FromTime":"2026-06-15T08:00:00Z"}`, "CountsTowardsPlanLimits", "false", false},
			{"keys in any case", `{"businessid":%[1]d,"COWORKERID":%[2]d,"fromTime":"2026-06-15T08:00:00Z","toTIME":"2026-06-15T09:00:00Z"}`, "ToTime", "2026-06-15T09:00:00Z", false},
			{"minutes, no zone: UTC", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"FromTime":"2026-06-15T08:30"}`, "FromTime", "2026-06-15T08:30:00Z", false},
			{"fraction and Z", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"FromTime":"2026-06-15T08:30:00.000Z"}`, "FromTime", "2026-06-15T08:30:00Z", false},
			{"offset", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"FromTime":"2026-06-15T10:30:00+02:00"}`, "FromTime", "2026-06-15T08:30:00Z", false},
			{"minutes and offset", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"FromTime":"2026-06-15T10:30+02:00"}`, "FromTime", "2026-06-15T08:30:00Z", false},
			{"RFC 1123", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"FromTime":"Mon, 15 Jun 2026 08:30:00 GMT"}`, "FromTime", "2026-06-15T08:30:00Z", false},
			{"unparseable number", `{"BusinessId":"one","CoworkerId":%[2]d}`, "BusinessId", `\"one\" is not a whole number`, true},
			{"unknown enum name", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"Source":"Teleport"}`, "Source", `\"Teleport\" is not a whole number or one of None (0), Manual (1), DoorAccess (2)`, true},
			{"unparseable date", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"FromTime":"next Tuesday"}`, "FromTime", `\"next Tuesday\" is not a date`, true},
			{"year 9999", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"FromTime":"9999-12-31T23:30:00Z"}`, "FromTime", "outside the years 1900 to 2200", true},
			{"year 1899", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"FromTime":"2026-06-15T08:00:00Z","ToTime":"1899-12-31T23:00:00Z"}`, "ToTime", "outside the years 1900 to 2200", true},
			{"NUL", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"MacAddresses":"aa\u0000"}`, "MacAddresses", "NUL", true},
			{"twice in two cases", `{"BusinessId":%[1]d,"CoworkerId":%[2]d,"Source":1,"source":2}`, "Source", "given twice", true},
		} {
			ids := strings.NewReplacer("%[1]d", fmt.Sprint(loc), "%[2]d", fmt.Sprint(member))
			body, want := ids.Replace(tc.body), ids.Replace(tc.want)
			r := a.Do("POST", checkinsPath, admin, body)
			if tc.wantFail {
				if e := wantFieldError(t, r, tc.field); e != nil && !strings.Contains(r.String(), want) {
					t.Errorf("%s: got %s, want it to say %s", tc.name, r, want)
				}
				continue
			}
			id := createdID(t, a.Want(r, http.StatusOK, tc.name))
			if got := fmt.Sprint(a.Get(admin, fmt.Sprintf("%s/%d", checkinsPath, id))[tc.field]); got != want {
				t.Errorf("%s: %s = %s, want %s", tc.name, tc.field, got, want)
			}
			a.Want(a.Do("DELETE", fmt.Sprintf("%s/%d", checkinsPath, id), admin, nil), http.StatusOK, "delete") // one open check-in per member
		}
		// Visitors take HostApprovalStatus by name too.
		v := a.Create(admin, visitorsPath, map[string]any{"BusinessId": loc, "FullName": "Guest", "HostApprovalStatus": "AcceptedAndGrant"})
		if got := fmt.Sprint(a.Get(admin, fmt.Sprintf("%s/%d", visitorsPath, v))["HostApprovalStatus"]); got != "5" {
			t.Errorf("HostApprovalStatus AcceptedAndGrant read as %s, want 5", got)
		}
		// A filter's date far out is refused by name too.
		r := a.Do("GET", checkinsPath+"?from_Checkin_FromTime=9999-01-01", admin, nil)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.String(), "from_Checkin_FromTime") {
			t.Errorf("a filter in year 9999: got %s, want 400 naming it", r)
		}
	})
}
