package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/secret"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// tokenForm is a form for POST /api/token.
func tokenForm(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v
}

// wantOAuthError checks an OAuth2 error answer.
func wantOAuthError(t *testing.T, r *apitest.Response, code string) {
	t.Helper()
	body := r.Object(t)
	if r.Status != http.StatusBadRequest || body["error"] != code || body["error_description"] == "" || len(body) != 2 {
		t.Errorf("got %s, want 400 with error %s and an error_description", r, code)
	}
}

func TestTokenPasswordGrant(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.Admin()
		r := a.Do("POST", "/api/token", "", tokenForm("grant_type", "password", "username", "ADMIN@example.com", "password", admin.Password))
		tokens := apitest.Decode[apitest.Tokens](t, a.Want(r, http.StatusOK, "password grant"))
		if tokens.TokenType != "bearer" || tokens.ExpiresIn != 7*24*3600 || tokens.AccessToken == "" || tokens.RefreshToken == "" {
			t.Errorf("tokens = %+v", tokens)
		}
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", got)
		}
		a.Want(a.Do("GET", usersPath, tokens.AccessToken, nil), http.StatusOK, "the new token")

		wrong := a.Do("POST", "/api/token", "", tokenForm("grant_type", "password", "username", admin.Email, "password", "wrong password"))
		unknown := a.Do("POST", "/api/token", "", tokenForm("grant_type", "password", "username", "nobody@example.com", "password", "wrong password"))
		want := map[string]any{"error": "invalid_grant", "error_description": "The user name or password is incorrect."}
		for _, r := range []*apitest.Response{wrong, unknown} {
			if got := r.Object(t); r.Status != http.StatusBadRequest || !reflect.DeepEqual(got, want) {
				t.Errorf("got %s, want 400 %v", r, want)
			}
		}
		for _, tc := range []struct {
			name string
			form url.Values
			code string
		}{
			{"no grant type", tokenForm("username", admin.Email, "password", admin.Password), "invalid_request"},
			{"no password", tokenForm("grant_type", "password", "username", admin.Email), "invalid_request"},
			{"another grant", tokenForm("grant_type", "client_credentials"), "unsupported_grant_type"},
			{"no refresh token", tokenForm("grant_type", "refresh_token"), "invalid_request"},
			{"unknown refresh token", tokenForm("grant_type", "refresh_token", "refresh_token", "made-up"), "invalid_grant"},
		} {
			wantOAuthError(t, a.Do("POST", "/api/token", "", tc.form), tc.code)
		}
		json := map[string]any{"grant_type": "password", "username": admin.Email, "password": admin.Password}
		wantOAuthError(t, a.Do("POST", "/api/token", "", json), "unsupported_grant_type")
		wantOAuthError(t, a.Do("POST", "/api/token", "", "grant_type=password", "Content-Type: text/plain"), "unsupported_grant_type")
	})
}

// A password hash made with the former parameters still signs its user in,
// and the sign-in replaces it with one of today's; a wrong password leaves
// it.
func TestTokenPasswordGrantUpgradesOldHash(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.Admin()
		old := storetest.OldPasswordHash(admin.Password) // base64 and $: no quotes to escape
		email := strings.ToLower(admin.Email)
		if _, err := a.SQL().Exec(fmt.Sprintf("UPDATE users SET password_hash = '%s' WHERE email = '%s'", old, email)); err != nil {
			t.Fatal(err)
		}
		stored := func() string {
			var h string
			if err := a.SQL().QueryRow(fmt.Sprintf("SELECT password_hash FROM users WHERE email = '%s'", email)).Scan(&h); err != nil {
				t.Fatal(err)
			}
			return h
		}
		wantOAuthError(t, a.Do("POST", "/api/token", "", tokenForm("grant_type", "password", "username", admin.Email, "password", "wrong password")), "invalid_grant")
		if h := stored(); h != old {
			t.Fatalf("a wrong password replaced the hash: %q", h)
		}
		a.SignIn(admin.Email, admin.Password)
		want := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", secret.ArgonMemoryKiB, secret.ArgonTime, secret.ArgonThreads)
		if h := stored(); !strings.HasPrefix(h, want) || !secret.VerifyPassword(h, admin.Password) {
			t.Fatalf("after the sign-in the hash is %q, want one of the password starting %q", h, want)
		}
		a.SignIn(admin.Email, admin.Password)
	})
}

func TestTokenRefreshRotates(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.Admin()
		first := a.SignIn(admin.Email, admin.Password)
		a.Clock.Advance(time.Hour)
		r := a.Do("POST", "/api/token", "", tokenForm("grant_type", "refresh_token", "refresh_token", first.RefreshToken))
		second := apitest.Decode[apitest.Tokens](t, a.Want(r, http.StatusOK, "refresh"))
		if second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken || second.ExpiresIn != 7*24*3600 {
			t.Errorf("refresh answered %+v after %+v; want a new pair", second, first)
		}
		a.Want(a.Do("GET", usersPath, second.AccessToken, nil), http.StatusOK, "the refreshed access token")
		again := a.Do("POST", "/api/token", "", tokenForm("grant_type", "refresh_token", "refresh_token", first.RefreshToken))
		wantOAuthError(t, again, "invalid_grant")

		a.Clock.Advance(15*24*time.Hour + time.Second)
		late := a.Do("POST", "/api/token", "", tokenForm("grant_type", "refresh_token", "refresh_token", second.RefreshToken))
		wantOAuthError(t, late, "invalid_grant")
	})
}

func TestBearerTokens(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		token := a.AdminToken()
		a.Clock.Advance(7*24*time.Hour - time.Minute)
		a.Want(a.Do("GET", usersPath, token, nil), http.StatusOK, "a token a minute before it expires")
		a.Clock.Advance(time.Minute)
		for _, header := range []string{
			"Authorization: Bearer " + token, // expired
			"Authorization: Bearer not-a-token",
			"Authorization: Bearer ",
			basic(apitest.AdminEmail, "not the password"), // Basic is accepted (basic_test.go), wrong ones are not
			"Authorization: " + token,
			"",
		} {
			r := a.Do("GET", usersPath, "", nil, header)
			if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%q: got %s with WWW-Authenticate %q, want 401 with Bearer", header, r, r.Header.Get("WWW-Authenticate"))
			}
		}
	})
}

func TestSecretsAreStoredOnlyAsHashes(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.Admin()
		first := a.SignIn(admin.Email, admin.Password)
		r := a.Do("POST", "/api/token", "", tokenForm("grant_type", "refresh_token", "refresh_token", first.RefreshToken))
		second := apitest.Decode[apitest.Tokens](t, a.Want(r, http.StatusOK, "refresh"))
		secrets := []string{admin.Token, first.AccessToken, first.RefreshToken, second.AccessToken, second.RefreshToken, admin.Password}
		db := a.SQL()
		for _, query := range []string{
			"SELECT access_hash || ' ' || refresh_hash FROM oauth_tokens",
			"SELECT password_hash FROM users",
		} {
			rows, err := db.Query(query)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var stored string
				if err := rows.Scan(&stored); err != nil {
					t.Fatal(err)
				}
				n++
				for _, s := range secrets {
					if strings.Contains(stored, s) {
						t.Errorf("%s: %q holds a secret in the clear", query, stored)
					}
				}
			}
			rows.Close()
			if n == 0 {
				t.Errorf("%s: no rows; the check checked nothing", query)
			}
		}
	})
}

// TestANewPasswordRevokesEveryToken: setting a user's password, whether on
// the User or through a Coworker profile's write-only Password, ends every
// session of that user (their access and refresh tokens), so that an
// operator can revoke a stolen token by changing the password.
func TestANewPasswordRevokesEveryToken(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		user := a.NewUser("Business-List")
		other := a.NewUser("Business-List")
		for _, change := range []struct {
			name string
			path string
			body map[string]any
		}{
			{"the user's Password", usersPath, map[string]any{"Email": user.Email, "Roles": []string{"Business-List"}}},
			{"a new profile's Password", coworkersPath, map[string]any{"BusinessId": loc, "FullName": "U", "Email": user.Email}},
		} {
			tokens := a.SignIn(user.Email, user.Password)
			a.Want(a.Do("GET", businessesPath, tokens.AccessToken, nil), http.StatusOK, "before the change")
			user.Password = "a-new-password-" + change.name[:5]
			change.body["Password"] = user.Password
			if change.path == usersPath {
				change.body["Id"] = user.ID
				a.Want(a.Do("PUT", usersPath, admin, change.body), http.StatusOK, "set "+change.name)
			} else {
				a.Create(admin, change.path, change.body)
			}
			if r := a.Do("GET", businessesPath, tokens.AccessToken, nil); r.Status != http.StatusUnauthorized {
				t.Errorf("an access token after a new password set by %s: got %s, want 401", change.name, r)
			}
			refresh := a.Do("POST", "/api/token", "", tokenForm("grant_type", "refresh_token", "refresh_token", tokens.RefreshToken))
			wantOAuthError(t, refresh, "invalid_grant")
			a.Want(a.Do("GET", businessesPath, other.Token, nil), http.StatusOK, "another user's token after "+change.name)
			a.SignIn(user.Email, user.Password)
		}
	})
}
