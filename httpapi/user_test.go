package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

const usersPath = "/api/sys/users"

func TestUserEmailIsUniqueWhateverItsCase(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		id := a.Create(admin, usersPath, map[string]any{"Email": " Jane@Example.COM ", "Password": "jane-password"})
		if got := a.Get(admin, fmt.Sprintf("%s/%d", usersPath, id))["Email"]; got != "jane@example.com" {
			t.Errorf("Email = %v, want it trimmed and lower-cased", got)
		}
		for _, email := range []string{"jane@example.com", "JANE@EXAMPLE.COM"} {
			wantFieldError(t, a.Do("POST", usersPath, admin, map[string]any{"Email": email}), "Email")
		}
		for _, email := range []string{"jane", "jane@", "@example.com", "jane doe@example.com", "a@b@c"} {
			wantFieldError(t, a.Do("POST", usersPath, admin, map[string]any{"Email": email}), "Email")
		}
		other := a.Create(admin, usersPath, map[string]any{"Email": "sam@example.com"})
		wantFieldError(t, a.Do("PUT", usersPath, admin, map[string]any{"Id": other, "Email": "Jane@example.com"}), "Email")
		a.SignIn("JANE@example.com", "jane-password")
	})
}

func TestUserPasswordIsWriteOnly(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		const password = "a secret password"
		r := a.Do("POST", usersPath, admin, map[string]any{"Email": "jane@example.com", "Password": password})
		id := createdID(t, r)
		answers := []*apitest.Response{
			r,
			a.Do("GET", fmt.Sprintf("%s/%d", usersPath, id), admin, nil),
			a.Do("GET", usersPath, admin, nil),
			a.Do("PUT", usersPath, admin, map[string]any{"Id": id, "Email": "jane@example.com", "FullName": "Jane"}),
		}
		for _, r := range answers {
			if body := string(r.Body); strings.Contains(body, "Password") || strings.Contains(body, password) || strings.Contains(body, "argon2") {
				t.Errorf("an answer shows the password: %s", r)
			}
		}
		jane := a.SignIn("jane@example.com", password) // a PUT without Password keeps it
		wantFieldError(t, a.Do("PUT", usersPath, admin, map[string]any{"Id": id, "Email": "jane@example.com", "Password": "short"}), "Password")
		a.Want(a.Do("PUT", usersPath, admin, map[string]any{"Id": id, "Email": "jane@example.com", "Password": "a new password"}), http.StatusOK, "new password")
		if r := a.Do("GET", usersPath, jane.AccessToken, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("a token issued before the password changed: got %s, want 401", r)
		}
		form := url.Values{"grant_type": {"password"}, "username": {"jane@example.com"}, "password": {password}}
		if r := a.Do("POST", "/api/token", "", form); r.Status != http.StatusBadRequest {
			t.Errorf("sign in with the old password: got %s, want 400", r)
		}
		a.SignIn("jane@example.com", "a new password")
	})
}

func TestUserRolesAndDevices(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		for _, tc := range []struct {
			name        string
			roles       []string
			devices     string
			wantField   string
			wantRoles   []any
			wantDevices string
		}{
			{name: "none", roles: nil, wantRoles: []any{}},
			{name: "any case", roles: []string{"coworker-list", "FAILEDCHECKIN-READ", " Team-Edit "}, wantRoles: []any{"Coworker-List", "FailedCheckin-Read", "Team-Edit"}},
			{name: "unknown action", roles: []string{"Coworker-Fly"}, wantField: "Roles"},
			{name: "unknown entity", roles: []string{"Spaceship-Read"}, wantField: "Roles"},
			{name: "no action", roles: []string{"Coworker"}, wantField: "Roles"},
			{name: "devices in every spelling", devices: "aa-bb-cc-dd-ee-ff, AABB.CCDD.EEFF,112233445566, 11:22:33:44:55:66", wantRoles: []any{}, wantDevices: "11:22:33:44:55:66,AA:BB:CC:DD:EE:FF"},
			{name: "not a device", devices: "AA:BB:CC:DD:EE", wantField: "Devices"},
		} {
			body := map[string]any{"Email": fmt.Sprintf("user-%d@example.com", a.Next()), "Roles": tc.roles, "Devices": tc.devices}
			r := a.Do("POST", usersPath, admin, body)
			if tc.wantField != "" {
				wantFieldError(t, r, tc.wantField)
				continue
			}
			id := createdID(t, r)
			got := a.Get(admin, fmt.Sprintf("%s/%d", usersPath, id))
			if !reflect.DeepEqual(got["Roles"], tc.wantRoles) || got["Devices"] != tc.wantDevices {
				t.Errorf("%s: Roles, Devices = %v, %q; want %v, %q", tc.name, got["Roles"], got["Devices"], tc.wantRoles, tc.wantDevices)
			}
		}
	})
}
