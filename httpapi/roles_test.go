package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// endpoint is one admin route, guarded by the role {Entity}-{action}.
type endpoint struct {
	action     string
	wantOK     int // the answer to a user allowed to call it
	wantDenied int // the answer to a signed-in user without the role
	// request returns a request that succeeds for an allowed user, making
	// what it needs afresh.
	request func(a *apitest.API) (method, path string, body any)
}

var roleActions = []string{checkin.ActionList, checkin.ActionRead, checkin.ActionCreate, checkin.ActionEdit, checkin.ActionDelete}

// adminEndpoints returns the five endpoints of an entity. Writes to a
// read-only entity answer 405 to every signed-in user.
func adminEndpoints(s *checkin.Schema, loc int64) []endpoint {
	existing := func(a *apitest.API) int64 {
		if s.ReadOnly {
			return a.AddFailedCheckin(&checkin.FailedCheckin{BusinessID: loc, Source: checkin.SourceManual})
		}
		return a.Create(a.AdminToken(), s.Path, a.Sample(s.Name, loc))
	}
	write := func(e endpoint) endpoint {
		if s.ReadOnly {
			e.wantOK, e.wantDenied = http.StatusMethodNotAllowed, http.StatusMethodNotAllowed
		}
		return e
	}
	return []endpoint{
		{checkin.ActionList, http.StatusOK, http.StatusForbidden, func(a *apitest.API) (string, string, any) {
			return "GET", s.Path, nil
		}},
		{checkin.ActionRead, http.StatusOK, http.StatusForbidden, func(a *apitest.API) (string, string, any) {
			return "GET", fmt.Sprintf("%s/%d", s.Path, existing(a)), nil
		}},
		write(endpoint{checkin.ActionCreate, http.StatusOK, http.StatusForbidden, func(a *apitest.API) (string, string, any) {
			return "POST", s.Path, a.Sample(s.Name, loc)
		}}),
		write(endpoint{checkin.ActionEdit, http.StatusOK, http.StatusForbidden, func(a *apitest.API) (string, string, any) {
			body := a.Sample(s.Name, loc)
			id := existing(a)
			if !s.ReadOnly {
				id = a.Create(a.AdminToken(), s.Path, body)
			}
			body["Id"] = id
			return "PUT", s.Path, body
		}}),
		write(endpoint{checkin.ActionDelete, http.StatusOK, http.StatusForbidden, func(a *apitest.API) (string, string, any) {
			return "DELETE", fmt.Sprintf("%s/%d", s.Path, existing(a)), nil
		}}),
	}
}

// allRolesBut returns every role of every entity except one.
func allRolesBut(except string) []string {
	var roles []string
	for _, s := range checkin.Schemas() {
		for _, action := range roleActions {
			if role := s.Name + "-" + action; role != except {
				roles = append(roles, role)
			}
		}
	}
	return roles
}

// TestEveryAdminEndpointChecksItsRole is the authorisation matrix: every
// route of every entity the server serves (from its Resources, so a new
// entity is covered without a line here) × no token, an expired token,
// users without and with the role, and an administrator.
func TestEveryAdminEndpointChecksItsRole(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		user := a.NewUser()
		if len(a.Server.Resources) < len(checkin.Schemas()) {
			t.Fatalf("the server serves %d entities of the %d declared", len(a.Server.Resources), len(checkin.Schemas()))
		}
		for _, res := range a.Server.Resources {
			s := res.Schema()
			for _, e := range adminEndpoints(s, loc) {
				role := s.Name + "-" + e.action
				t.Run(role, func(t *testing.T) { checkRole(t, a.For(t), user, role, e) })
			}
		}
	})
}

// checkRole calls an endpoint without a token, with an expired token of a
// user who holds its role, as a user without its role, as one with exactly
// its role (also stored in another letter case), and as an administrator.
func checkRole(t *testing.T, a *apitest.API, user *apitest.User, role string, e endpoint) {
	setRoles := func(roles ...string) func() {
		return func() {
			body := map[string]any{"Id": user.ID, "Email": user.Email, "Roles": roles}
			a.Want(a.Do("PUT", usersPath, a.AdminToken(), body), http.StatusOK, "set the user's roles")
		}
	}
	storeRole := func(spelling string) func() {
		return func() {
			query := fmt.Sprintf("UPDATE users SET roles = '%s' WHERE id = %d", spelling, user.ID)
			if _, err := a.SQL().Exec(query); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name    string
		token   string
		setup   func()
		want    int
		expired bool // the request is sent once the token has expired
	}{
		{"no token", "", nil, http.StatusUnauthorized, false},
		{"no role", user.Token, setRoles(), e.wantDenied, false},
		{"every other role", user.Token, setRoles(allRolesBut(role)...), e.wantDenied, false},
		{"exactly the role", user.Token, setRoles(role), e.wantOK, false},
		{"the role, but the token expired", user.Token, nil, http.StatusUnauthorized, true},
		{"the role in upper case", user.Token, storeRole(strings.ToUpper(role)), e.wantOK, false},
		{"the role in lower case", user.Token, storeRole(strings.ToLower(role)), e.wantOK, false},
		{"administrator", a.AdminToken(), nil, e.wantOK, false},
	} {
		if tc.setup != nil {
			tc.setup()
		}
		method, path, body := e.request(a)
		var r *apitest.Response
		if tc.expired {
			r = afterExpiry(a, func() *apitest.Response { return a.Do(method, path, tc.token, body) })
		} else {
			r = a.Do(method, path, tc.token, body)
		}
		if r.Status != tc.want {
			t.Errorf("%s: %s %s: got %s, want %d", tc.name, method, path, r, tc.want)
		}
		if tc.want == http.StatusUnauthorized && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: WWW-Authenticate = %q, want Bearer", tc.name, r.Header.Get("WWW-Authenticate"))
		}
	}
}

// afterExpiry runs send with the clock a second past the lifetime of the
// tokens issued until now, then sets the clock back, so that the test's
// other tokens work again.
func afterExpiry(a *apitest.API, send func() *apitest.Response) *apitest.Response {
	now := a.Clock.Now()
	a.Clock.Advance(checkin.AccessTokenLifetime + time.Second)
	defer a.Clock.Set(now)
	return send()
}

func TestUsersCannotGivePowersTheyDoNotHold(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		manager := a.NewUser("User-Create", "User-Edit", "User-Delete", "Coworker-Create")
		boss := map[string]any{"Email": "boss@example.com", "Password": "boss-password", "IsAdmin": true}
		bossID := a.Create(admin, usersPath, boss)
		member := a.Create(admin, usersPath, map[string]any{"Email": "member@example.com"})
		loc := a.NewLocation()
		for _, tc := range []struct {
			name         string
			method, path string
			body         map[string]any
			want         int
		}{
			{"create an administrator", "POST", usersPath, map[string]any{"Email": "new1@example.com", "IsAdmin": true}, http.StatusForbidden},
			{"give a role not held", "POST", usersPath, map[string]any{"Email": "new2@example.com", "Roles": []string{"Team-Edit"}}, http.StatusForbidden},
			{"give a role held", "POST", usersPath, map[string]any{"Email": "new3@example.com", "Roles": []string{"coworker-create"}}, http.StatusOK},
			{"make oneself an administrator", "PUT", usersPath, map[string]any{"Id": manager.ID, "Email": manager.Email, "IsAdmin": true}, http.StatusForbidden},
			{"give oneself a role", "PUT", usersPath, map[string]any{"Id": manager.ID, "Email": manager.Email, "Roles": []string{"User-Edit", "Team-Edit"}}, http.StatusForbidden},
			{"set an administrator's password", "PUT", usersPath, map[string]any{"Id": bossID, "Email": "boss@example.com", "Password": "taken-over"}, http.StatusForbidden},
			{"delete an administrator", "DELETE", fmt.Sprintf("%s/%d", usersPath, bossID), nil, http.StatusForbidden},
			{"set an administrator's password as a member's", "POST", coworkersPath,
				map[string]any{"BusinessId": loc, "FullName": "Boss", "Email": "boss@example.com", "Password": "taken-over"}, http.StatusForbidden},
			{"set a member's password", "POST", coworkersPath,
				map[string]any{"BusinessId": loc, "FullName": "Member", "Email": "member@example.com", "Password": "member-password"}, http.StatusOK},
			{"change a member", "PUT", usersPath, map[string]any{"Id": member, "Email": "member@example.com", "FullName": "M"}, http.StatusOK},
		} {
			var body any
			if tc.body != nil {
				body = tc.body
			}
			if r := a.Do(tc.method, tc.path, manager.Token, body); r.Status != tc.want {
				t.Errorf("%s: got %s, want %d", tc.name, r, tc.want)
			}
		}
		a.SignIn("boss@example.com", "boss-password") // unchanged
		a.SignIn("member@example.com", "member-password")
		a.Want(a.Do("PUT", usersPath, admin, map[string]any{"Id": bossID, "Email": "boss@example.com", "Password": "new-boss-password", "IsAdmin": true}),
			http.StatusOK, "an administrator changes an administrator")
	})
}
