package httpapi_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// basic returns the Authorization header of Basic credentials, as the Nexudus
// admin libraries send on every call.
const teamsPath = "/api/spaces/teams"

func basic(email, password string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+password))
}

// TestBasicAuthListLoop: an admin library sends Basic credentials on every
// call and pages through a list until HasNextPage is false.
func TestBasicAuthListLoop(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		for range 23 {
			a.Create(a.AdminToken(), teamsPath, a.Sample("Team", loc))
		}
		desk := a.NewUser("Team-List")
		var names []string
		for page := 1; ; page++ {
			r := a.Want(a.Do("GET", fmt.Sprintf("%s?page=%d&size=10", teamsPath, page), "", nil, basic(desk.Email, desk.Password)), http.StatusOK, "Basic list")
			body := r.Object(t)
			for _, rec := range body["Records"].([]any) {
				names = append(names, rec.(map[string]any)["Name"].(string))
			}
			if body["HasNextPage"] != true {
				break
			}
			if page > 5 {
				t.Fatal("HasNextPage never ends")
			}
		}
		slices.Sort(names)
		if len(slices.Compact(names)) != 23 {
			t.Errorf("listed %d distinct teams, want 23", len(names))
		}
	})
}

// TestBasicAuthAnswers: what each kind of Basic credential is answered,
// and that a change to the user is seen at once by credentials remembered
// from an earlier call.
func TestBasicAuthAnswers(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		desk := a.NewUser("Team-List")
		list := func(header string) *apitest.Response { return a.Do("GET", teamsPath, "", nil, header) }
		for _, tc := range []struct {
			name, header string
			want         int
		}{
			{"right", basic(desk.Email, desk.Password), http.StatusOK},
			{"email in another case", basic(strings.ToUpper(desk.Email), desk.Password), http.StatusOK},
			{"wrong password", basic(desk.Email, "wrong password"), http.StatusUnauthorized},
			{"unknown user", basic("nobody@example.com", desk.Password), http.StatusUnauthorized},
			{"no colon", "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(desk.Email)), http.StatusUnauthorized},
			{"not base64", "Authorization: Basic !!!", http.StatusUnauthorized},
			{"12 KB email", basic(strings.Repeat("a", 12<<10)+"@example.com", "password"), http.StatusUnauthorized},
			{"no role", basic(a.NewUser().Email, fmt.Sprintf("password-%d", a.Next()-1)), http.StatusForbidden},
		} {
			r := list(tc.header)
			if r.Status != tc.want {
				t.Errorf("%s: got %s, want %d", tc.name, r, tc.want)
			}
			if r.Status == http.StatusUnauthorized {
				if got := r.Header.Values("WWW-Authenticate"); !slices.Contains(got, `Basic realm="checkin"`) || len(got) != 2 {
					t.Errorf("%s: WWW-Authenticate %q, want Bearer and Basic", tc.name, got)
				}
			}
		}

		right := basic(desk.Email, desk.Password)
		a.Want(list(right), http.StatusOK, "remembered")
		a.Want(a.Do("PUT", usersPath, admin, map[string]any{"Id": desk.ID, "Email": desk.Email, "Roles": []string{}}), http.StatusOK, "take the role")
		a.Want(list(right), http.StatusForbidden, "after the role was taken")
		a.Want(a.Do("PUT", usersPath, admin, map[string]any{"Id": desk.ID, "Email": desk.Email, "Roles": []string{"Team-List"}, "Password": "a new password"}), http.StatusOK, "new password")
		a.Want(list(right), http.StatusUnauthorized, "the old password after it changed")
		newer := basic(desk.Email, "a new password")
		a.Want(list(newer), http.StatusOK, "the new password")
		a.Want(a.Do("DELETE", fmt.Sprintf("%s/%d", usersPath, desk.ID), admin, nil), http.StatusOK, "delete the user")
		a.Want(list(newer), http.StatusUnauthorized, "a deleted user")
	})
}

// TestBasicAuthIsThrottled: a burst of wrong Basic passwords from one
// address is throttled as wrong passwords at POST /api/token are, and the
// right password from that address waits too.
func TestBasicAuthIsThrottled(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.Admin()
		for i := 1; i <= 11; i++ {
			r := a.Do("GET", usersPath, "", nil, basic(fmt.Sprintf("guess%d@example.com", i), "wrong password"), "X-Forwarded-For: "+attackerAddr)
			a.Want(r, http.StatusUnauthorized, fmt.Sprintf("guess %d", i))
		}
		r := a.Do("GET", usersPath, "", nil, basic(admin.Email, admin.Password), "X-Forwarded-For: "+attackerAddr)
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" {
			t.Fatalf("after 11 wrong passwords: got %s (Retry-After %q), want 429 with Retry-After 1", r, r.Header.Get("Retry-After"))
		}
		if keys := throttleKeys(t, a); !strings.Contains(keys, "a:-1:password:"+attackerAddr+"=11") {
			t.Errorf("throttle keys %s: want the attacker's address at 11 failures, as for password grants", keys)
		}
		a.Want(a.Do("GET", usersPath, "", nil, basic(admin.Email, admin.Password), "X-Forwarded-For: "+adminAddr), http.StatusOK, "another address")
		a.Clock.Advance(1e9)
		a.Want(a.Do("GET", usersPath, "", nil, basic(admin.Email, admin.Password), "X-Forwarded-For: "+attackerAddr), http.StatusOK, "after the wait")
	}, behindProxy)
}

// TestBasicCredentialsCapOnCheckin: Basic credentials on the public
// check-in obey the same 1024-byte cap as the body's: a 12 KB email is
// INVALID_REQUEST_DATA and stores nothing.
func TestBasicCredentialsCapOnCheckin(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		a.Create(a.AdminToken(), businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		r := a.Do("POST", "/api/public/checkin", "", `{}`, "Host: acme.localhost", basic(strings.Repeat("a", 12<<10)+"@example.com", "password"))
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "INVALID_REQUEST_DATA") {
			t.Errorf("12 KB Basic email: got %s, want 400 INVALID_REQUEST_DATA", r)
		}
		var n int
		if err := a.SQL().QueryRow("SELECT count(*) FROM failed_checkins").Scan(&n); err != nil || n != 0 {
			t.Errorf("failed check-ins stored: %d (%v), want none", n, err)
		}
	})
}
