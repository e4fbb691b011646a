package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// TestUsersScopedToLocations: a desk user of one location (Businesses)
// sees and changes nothing of another, and cannot grant what they lack.
func TestUsersScopedToLocations(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		here, there := a.NewLocation(), a.NewLocation()
		mine := a.Create(admin, coworkersPath, a.Sample("Coworker", here))
		theirs := a.Create(admin, coworkersPath, a.Sample("Coworker", there))
		fcHere := a.AddFailedCheckin(&checkin.FailedCheckin{BusinessID: here, Description: checkin.StringPtr("No access")})
		fcThere := a.AddFailedCheckin(&checkin.FailedCheckin{BusinessID: there, Description: checkin.StringPtr("No access")})
		roles := []string{"Coworker-List", "Coworker-Read", "Coworker-Create", "Coworker-Edit", "Coworker-Delete",
			"FailedCheckin-List", "FailedCheckin-Read", "Business-List", "Business-Read", "Business-Edit", "User-Create", "User-Edit", "User-List"}
		desk := a.NewUser(roles...)
		a.Want(a.Do("PATCH", fmt.Sprintf("%s/%d", usersPath, desk.ID), admin, map[string]any{"Businesses": []int64{here}}), http.StatusOK, "limit the desk")
		tok := desk.Token
		at := func(p string, id int64) string { return fmt.Sprintf("%s/%d", p, id) }

		for _, tc := range []struct {
			name, path, query string
			want              []int64
		}{
			{"coworkers", coworkersPath, "orderBy=Id", []int64{mine}},
			{"failed check-ins", failedCheckinsPath, "", []int64{fcHere}},
			{"failed check-ins of the other location by filter", failedCheckinsPath, fmt.Sprintf("FailedCheckin_Business=%d", there), []int64{}},
			{"locations", businessesPath, "", []int64{here}},
		} {
			got := recordIDs(t, a.Get(tok, tc.path+"?"+tc.query))
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: listed %v, want %v", tc.name, got, tc.want)
			}
		}
		if n := len(a.Get(tok, usersPath)["Records"].([]any)); n < 3 {
			t.Errorf("users are outside the rule: listed %d, want every user", n)
		}

		theirsRec := a.Sample("Coworker", there)
		for _, tc := range []struct {
			name, method, path string
			body               any
			want               int
		}{
			{"read another location's member", "GET", at(coworkersPath, theirs), nil, http.StatusNotFound},
			{"read another location's failed check-in", "GET", at(failedCheckinsPath, fcThere), nil, http.StatusNotFound},
			{"read another location", "GET", at(businessesPath, there), nil, http.StatusNotFound},
			{"read one's own", "GET", at(coworkersPath, mine), nil, http.StatusOK},
			{"create at another location", "POST", coworkersPath, theirsRec, http.StatusForbidden},
			{"move one's own member away", "PATCH", at(coworkersPath, mine), map[string]any{"BusinessId": there}, http.StatusForbidden},
			{"change another location's member", "PATCH", at(coworkersPath, theirs), map[string]any{"FullName": "X"}, http.StatusNotFound},
			{"replace another location's member", "PUT", coworkersPath, map[string]any{"Id": theirs, "BusinessId": here, "FullName": "X", "Email": "x@example.com"}, http.StatusNotFound},
			{"delete another location's member", "DELETE", at(coworkersPath, theirs), nil, http.StatusNotFound},
			{"rename another location", "PATCH", at(businessesPath, there), map[string]any{"Name": "Mine"}, http.StatusNotFound},
			{"create a location", "POST", businessesPath, a.Sample("Business", 0), http.StatusForbidden},
			{"a user with roles at the other location", "POST", usersPath, map[string]any{"Email": "a@example.com", "Roles": []string{"Coworker-List"}, "Businesses": []int64{there}}, http.StatusForbidden},
			{"a user with roles everywhere", "POST", usersPath, map[string]any{"Email": "b@example.com", "Roles": []string{"Coworker-List"}}, http.StatusForbidden},
			{"a member given the other location", "POST", usersPath, map[string]any{"Email": "c@example.com", "Businesses": []int64{there}}, http.StatusForbidden},
			{"take over an unlimited desk user", "PATCH", at(usersPath, a.NewUser("Coworker-List").ID), map[string]any{"Businesses": []int64{here}}, http.StatusForbidden},
			{"a user with roles here", "POST", usersPath, map[string]any{"Email": "d@example.com", "Roles": []string{"Coworker-List"}, "Businesses": []int64{here}}, http.StatusOK},
			{"a member without roles", "POST", usersPath, map[string]any{"Email": "e@example.com"}, http.StatusOK},
		} {
			if r := a.Do(tc.method, tc.path, tok, tc.body); r.Status != tc.want {
				t.Errorf("%s: got %s, want %d", tc.name, r, tc.want)
			}
		}
		if got := a.Get(admin, at(coworkersPath, theirs)); got["FullName"] == "X" {
			t.Errorf("the other location's member was changed: %v", got)
		}
		wantFieldError(t, a.Do("PATCH", at(usersPath, desk.ID), admin, map[string]any{"Businesses": []int64{9999}}), "Businesses")
	})
}

// TestCoworkerLinksOnlyManageableUsers: a Coworker-Create holder cannot
// attach a profile, with a pincode of their choosing, to a user with more
// powers than theirs (an administrator); a plain member is linked.
func TestCoworkerLinksOnlyManageableUsers(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		a.Create(admin, usersPath, map[string]any{"Email": "member@example.com"})
		desk := a.NewUser("Coworker-Create", "Coworker-Edit", "Coworker-Read")
		r := a.Do("POST", coworkersPath, desk.Token, map[string]any{"BusinessId": loc, "FullName": "Boss", "Email": apitest.AdminEmail, "AccessPincode": "918273"})
		if r.Status != http.StatusForbidden {
			t.Errorf("link the administrator's user: got %s, want 403", r)
		}
		other := a.NewUser("Team-List")
		if r := a.Do("POST", coworkersPath, desk.Token, map[string]any{"BusinessId": loc, "FullName": "O", "Email": other.Email}); r.Status != http.StatusForbidden {
			t.Errorf("link a user holding a role the desk lacks: got %s, want 403", r)
		}
		id := a.Create(desk.Token, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Member", "Email": "member@example.com", "AccessPincode": "918273"})
		if r := a.Do("PATCH", fmt.Sprintf("%s/%d", coworkersPath, id), desk.Token, map[string]any{"Email": apitest.AdminEmail}); r.Status != http.StatusForbidden {
			t.Errorf("relink the profile to the administrator: got %s, want 403", r)
		}
		a.Want(a.Do("PATCH", fmt.Sprintf("%s/%d", coworkersPath, id), desk.Token, map[string]any{"FullName": "Member M"}), http.StatusOK, "edit the member")
	})
}
