package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// TestFiltersNullsBooleansAndCredentials: =null lists empty fields (open
// check-ins), booleans filter in any case, and credentials match whole
// values only, so that no one enumerates pincodes or cards by a part.
func TestFiltersNullsBooleansAndCredentials(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		plan := a.Create(admin, tariffsPath, a.Sample("Tariff", loc))
		jane := a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com",
			"AccessPincode": "4242", "AccessCardId": "CARD-1, card-22", "KeyFobNumber": "fob-7", "TariffId": plan})
		sam := a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Sam", "Email": "sam@example.com",
			"AccessPincode": "424242", "AccessCardId": "CARD-11", "Active": false})
		open := a.Create(admin, checkinsPath, map[string]any{"BusinessId": loc, "CoworkerId": jane})
		closed := a.Create(admin, checkinsPath, map[string]any{"BusinessId": loc, "CoworkerId": sam, "FromTime": "2026-06-15T08:00:00Z", "ToTime": "2026-06-15T09:00:00Z"})
		a.Create(admin, usersPath, map[string]any{"Email": "dev@example.com", "Devices": "aa:bb:cc:dd:ee:01,AA-BB-CC-DD-EE-02"})
		devices := apitest.Int(t, a.Get(admin, usersPath+"?User_Email=dev@")["Records"].([]any)[0].(map[string]any)["Id"])
		for _, tc := range []struct {
			path, query string
			want        []int64
		}{
			{checkinsPath, "Checkin_ToTime=null", []int64{open}},
			{checkinsPath, "Checkin_ToTime=NULL&Checkin_Coworker=" + fmt.Sprint(sam), nil},
			{checkinsPath, "from_Checkin_ToTime=2026-06-15", []int64{closed}},
			{coworkersPath, "Coworker_Tariff=null", []int64{sam}},
			{coworkersPath, "Coworker_AccessCardId=null", nil},
			{coworkersPath, "Coworker_Active=false", []int64{sam}},
			{coworkersPath, "Coworker_Active=True", []int64{jane}},
			{coworkersPath, "Coworker_Archived=false&orderBy=Id", []int64{jane, sam}},
			{coworkersPath, "Coworker_AccessPincode=4242", []int64{jane}},
			{coworkersPath, "Coworker_AccessPincode=4", nil},
			{coworkersPath, "Coworker_AccessPincode=42424", nil},
			{coworkersPath, "Coworker_AccessCardId=card-22", []int64{jane}},
			{coworkersPath, "Coworker_AccessCardId=CARD-1", []int64{jane}},
			{coworkersPath, "Coworker_AccessCardId=CARD", nil},
			{coworkersPath, "Coworker_AccessCardId=1", nil},
			{coworkersPath, "Coworker_AccessCardId=%25", nil},
			{coworkersPath, "Coworker_KeyFobNumber=FOB-7", []int64{jane}},
			{coworkersPath, "Coworker_KeyFobNumber=FOB", nil},
			{usersPath, "User_Devices=aabb.ccdd.ee02", []int64{devices}},
			{usersPath, "User_Devices=AA:BB:CC:DD:EE:01", []int64{devices}},
			{usersPath, "User_Devices=AA:BB:CC:DD:EE:03", nil},
		} {
			if got := listIDs(t, a, tc.path, tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("%s?%s: %v, want %v", tc.path, tc.query, got, tc.want)
			}
		}
		for _, q := range []string{"User_Devices=AA:BB", "Coworker_Active=maybe", "from_Checkin_ToTime=null", "Coworker_Teams=1"} {
			path := coworkersPath
			switch q[:4] {
			case "User":
				path = usersPath
			case "from":
				path = checkinsPath
			}
			if r := a.Do("GET", path+"?"+q, admin, nil); r.Status != http.StatusBadRequest {
				t.Errorf("%s: got %s, want 400", q, r)
			}
		}
	})
}

// TestReferenceFiltersNeedTheirRoles: a filter by a field of a referenced
// record needs the List role of that entity too, and credentials are never
// filtered through a reference (a Checkin-List holder once recovered any
// pincode in 44 substring queries).
func TestReferenceFiltersNeedTheirRoles(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		jane := a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com", "AccessPincode": "1842", "AccessCardId": "C-1"})
		a.Create(admin, checkinsPath, map[string]any{"BusinessId": loc, "CoworkerId": jane})
		checkinsOnly := a.NewUser("Checkin-List")
		both := a.NewUser("Checkin-List", "Coworker-List")
		coworkersOnly := a.NewUser("Coworker-List")
		for _, tc := range []struct {
			name, path, query string
			token             string
			want              int
		}{
			{"a field of the member, Checkin-List only", checkinsPath, "Checkin_Coworker_FullName=Jane", checkinsOnly.Token, http.StatusForbidden},
			{"a field of the member, with Coworker-List", checkinsPath, "Checkin_Coworker_FullName=Jane", both.Token, http.StatusOK},
			{"the member by id needs no more", checkinsPath, fmt.Sprintf("Checkin_Coworker=%d", jane), checkinsOnly.Token, http.StatusOK},
			{"a pincode through a reference", checkinsPath, "Checkin_Coworker_AccessPincode=18", both.Token, http.StatusBadRequest},
			{"a pincode through a reference, even for an admin", checkinsPath, "Checkin_Coworker_AccessPincode=1842", admin, http.StatusBadRequest},
			{"a card through a reference", failedCheckinsPath, "FailedCheckin_Coworker_AccessCardId=C-1", admin, http.StatusBadRequest},
			{"a key fob through a reference", visitorsPath, "Visitor_Coworker_KeyFobNumber=F", admin, http.StatusBadRequest},
			{"a user's field, Coworker-List only", coworkersPath, "Coworker_User_IsAdmin=true", coworkersOnly.Token, http.StatusForbidden},
			{"a user's devices through a reference", coworkersPath, url.Values{"Coworker_User_Devices": {"AA:BB:CC:DD:EE:FF"}}.Encode(), admin, http.StatusBadRequest},
			{"a location's name, without Business-List", checkinsPath, "Checkin_Business_Name=Loc", both.Token, http.StatusForbidden},
		} {
			if r := a.Do("GET", tc.path+"?"+tc.query, tc.token, nil); r.Status != tc.want {
				t.Errorf("%s: got %s, want %d", tc.name, r, tc.want)
			}
		}
	})
}

// TestCoworkerClientFields: CompanyName, MobilePhone, Archived (default
// false) and KeyFobNumber round-trip, lists hold every field (a user's
// Roles too), and a card reader's PascalCase request with the key fob
// checks the member in as a card does.
func TestCoworkerClientFields(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.Create(admin, businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		jane := a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com",
			"CompanyName": " Acme Ltd ", "MobilePhone": "+44 7700 900123", "KeyFobNumber": "fob-9", "AccessCardId": "CARD-9"})
		rec := a.Get(admin, fmt.Sprintf("%s/%d", coworkersPath, jane))
		for field, want := range map[string]any{"CompanyName": "Acme Ltd", "MobilePhone": "+44 7700 900123", "Archived": false, "KeyFobNumber": "FOB-9"} {
			if rec[field] != want {
				t.Errorf("%s = %v, want %v", field, rec[field], want)
			}
		}
		r := a.Do("POST", "/api/public/checkin", "", `{"AccessCardId":"FOB-9"}`, "Host: acme.localhost")
		if body := r.Object(t); r.Status != http.StatusOK || fmt.Sprint(body["Status"]) != "200" || body["Value"].(map[string]any)["FullName"] != "Jane" {
			t.Errorf("the key fob at a card reader: %s, want Jane checked in", r)
		}
		r = a.Do("POST", coworkersPath, admin, map[string]any{"BusinessId": loc, "FullName": "Sam", "Email": "sam@example.com", "AccessCardId": "fob-9"})
		wantFieldError(t, r, "AccessCardId") // the fob is a card of the location
		a.Create(admin, usersPath, map[string]any{"Email": "desk@example.com", "Roles": []string{"Team-List"}})
		for _, u := range a.Get(admin, usersPath)["Records"].([]any) {
			if _, ok := u.(map[string]any)["Roles"]; !ok {
				t.Errorf("a listed user has no Roles: %v", u)
			}
		}
	})
}
