package httpapi_test

import (
	"fmt"
	"maps"
	"net/http"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

const (
	coworkersPath = "/api/spaces/coworkers"
	tariffsPath   = "/api/billing/tariffs"
)

func TestCoworkerLinksItsUserByEmail(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc, other := a.NewLocation(), a.NewLocation()
		user := a.Create(admin, usersPath, map[string]any{"Email": "jane@example.com", "FullName": "Jane"})
		member := func(business int64, email string, extra map[string]any) *apitest.Response {
			body := map[string]any{"BusinessId": business, "FullName": "Jane Doe", "Email": email, "UserId": 999}
			maps.Copy(body, extra)
			return a.Do("POST", coworkersPath, admin, body)
		}
		here := createdID(t, member(loc, "JANE@example.com", nil))
		if got := apitest.Int(t, a.Get(admin, fmt.Sprintf("%s/%d", coworkersPath, here))["UserId"]); got != user {
			t.Errorf("UserId = %d, want the user with that email, %d", got, user)
		}
		wantFieldError(t, member(loc, "jane@example.com", nil), "Email") // one profile per user and location
		there := createdID(t, member(other, "jane@example.com", map[string]any{"Password": "jane-password"}))
		if got := apitest.Int(t, a.Get(admin, fmt.Sprintf("%s/%d", coworkersPath, there))["UserId"]); got != user {
			t.Errorf("UserId at another location = %d, want %d", got, user)
		}
		a.SignIn("jane@example.com", "jane-password") // the coworker's password is the user's

		created := createdID(t, member(loc, "new@example.com", map[string]any{"Password": "new-password"}))
		newUser := apitest.Int(t, a.Get(admin, fmt.Sprintf("%s/%d", coworkersPath, created))["UserId"])
		if got := a.Get(admin, fmt.Sprintf("%s/%d", usersPath, newUser)); got["Email"] != "new@example.com" || got["FullName"] != "Jane Doe" {
			t.Errorf("the user created for the member = %v, want its email and name", got)
		}
		a.SignIn("new@example.com", "new-password")
	})
}

func TestCoworkerFields(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		blue := a.Create(admin, "/api/spaces/teams", map[string]any{"BusinessId": loc, "Name": "Blue"})
		red := a.Create(admin, "/api/spaces/teams", map[string]any{"BusinessId": loc, "Name": "Red"})
		plan := a.Create(admin, tariffsPath, map[string]any{"BusinessId": loc, "Name": "Hot desk"})
		a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Card holder", "Email": "holder@example.com", "AccessCardId": "TAKEN"})
		for _, tc := range []struct {
			name      string
			set       map[string]any
			wantField string
			want      map[string]any
		}{
			{"defaults", nil, "", map[string]any{"Active": true, "AllowNetworkCheckin": false, "TariffId": nil, "Teams": []any{}, "AccessCardId": "", "AccessPincode": ""}},
			{"inactive", map[string]any{"Active": false}, "", map[string]any{"Active": false}},
			{"cards", map[string]any{"AccessCardId": "card-1, CARD-2,,card-1"}, "", map[string]any{"AccessCardId": "CARD-1,CARD-2"}},
			{"a card of another member", map[string]any{"AccessCardId": "new, taken"}, "AccessCardId", nil},
			{"teams and plan", map[string]any{"Teams": []int64{red, blue}, "TariffId": plan}, "", map[string]any{"Teams": []any{jsonInt(blue), jsonInt(red)}, "TariffId": jsonInt(plan)}},
			{"missing team", map[string]any{"Teams": []int64{999999}}, "Teams", nil},
			{"pincode", map[string]any{"AccessPincode": " 0042 "}, "", map[string]any{"AccessPincode": "0042"}},
			{"pincode with letters", map[string]any{"AccessPincode": "12ab"}, "AccessPincode", nil},
			{"pincode too long", map[string]any{"AccessPincode": "12345678901234567"}, "AccessPincode", nil},
			{"short password", map[string]any{"Password": "short"}, "Password", nil},
		} {
			base := map[string]any{"BusinessId": loc, "FullName": tc.name, "Email": fmt.Sprintf("m%d@example.com", a.Next())}
			postAndCheck(t, a, coworkersPath, base, tc.set, tc.wantField, tc.want)
		}
	})
}

func TestCoworkerReplaceClearsWhatIsLeftOut(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		team := a.Create(admin, "/api/spaces/teams", map[string]any{"BusinessId": loc, "Name": "Blue"})
		plan := a.Create(admin, tariffsPath, map[string]any{"BusinessId": loc, "Name": "Hot desk"})
		id := a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com",
			"AccessPincode": "1234", "AccessCardId": "C1", "AllowNetworkCheckin": true, "TariffId": plan, "Teams": []int64{team}})
		user := a.Get(admin, fmt.Sprintf("%s/%d", coworkersPath, id))["UserId"]
		a.Want(a.Do("PUT", coworkersPath, admin, map[string]any{"Id": id, "BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com"}), http.StatusOK, "PUT")
		got := a.Get(admin, fmt.Sprintf("%s/%d", coworkersPath, id))
		want := map[string]any{"AccessPincode": "", "AccessCardId": "", "AllowNetworkCheckin": false, "Active": false, "TariffId": nil, "Teams": []any{}, "UserId": user}
		wantFields(t, "after a PUT", got, want)
	})
}

func TestTariffDefaultsAndLimits(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		for _, tc := range []struct {
			set       map[string]any
			wantField string
			want      map[string]any
		}{
			{nil, "", map[string]any{"Active": true, "CheckinMonthLimit": nil, "CheckinWeekLimit": nil}},
			{map[string]any{"Active": false, "CheckinMonthLimit": 31, "CheckinWeekLimit": 0}, "", map[string]any{"Active": false, "CheckinMonthLimit": jsonInt(31), "CheckinWeekLimit": jsonInt(0)}},
			{map[string]any{"CheckinWeekLimit": 7}, "", map[string]any{"CheckinWeekLimit": jsonInt(7)}},
			{map[string]any{"CheckinMonthLimit": 32}, "CheckinMonthLimit", nil},
			{map[string]any{"CheckinMonthLimit": -1}, "CheckinMonthLimit", nil},
			{map[string]any{"CheckinWeekLimit": 8}, "CheckinWeekLimit", nil},
			{map[string]any{"Name": "  "}, "Name", nil},
		} {
			postAndCheck(t, a, tariffsPath, map[string]any{"BusinessId": loc, "Name": "Plan"}, tc.set, tc.wantField, tc.want)
		}
	})
}
