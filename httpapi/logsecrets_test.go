package httpapi_test

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// TestNoSecretIsEverLogged drives every way a secret reaches the service
// (password and refresh grants, bearer tokens, check-ins by password,
// Basic credentials, pincode, card and access code, admin writes that set
// passwords), rightly and wrongly, and then again with the database gone,
// with the server and the store logging at debug level; no secret may
// appear in the logs, nor in the FailedCheckin records of the refusals.
func TestNoSecretIsEverLogged(t *testing.T) {
	logs := &apitest.LogBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		a.DB.Log = logger
		secrets := []string{apitest.AdminPassword}
		secret := func(s string) string { secrets = append(secrets, s); return s }
		admin := a.AdminToken()
		secrets = append(secrets, admin)

		loc := a.Create(admin, businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		userPassword := secret("Us3rPassw0rdQmZ")
		userID := a.Create(admin, usersPath, map[string]any{"Email": "user@example.com", "Password": userPassword, "Roles": []string{}})
		a.Want(a.Do("PUT", usersPath, admin, map[string]any{"Id": userID, "Email": "user@example.com", "Password": secret("Us3rPassw0rdN3w")}), http.StatusOK, "change a password")
		memberPassword, pincode, card := secret("M3mberPassw0rdKv"), secret("914273"), secret("CARD77319X")
		a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com",
			"Password": memberPassword, "AccessPincode": pincode, "AccessCardId": card})
		accessCode := secret("TKN8842QXZ")
		a.Create(admin, "/api/spaces/accesstokens", map[string]any{"BusinessId": loc, "AccessCode": accessCode, "MinutesIncluded": 60})
		a.Create(admin, "/api/sys/radiusclients", map[string]any{"BusinessId": loc, "Name": "AP", "Address": "192.0.2.1", "Secret": secret("Rad1usS3cretXy")})
		a.Do("POST", "/api/sys/radiusclients", admin, map[string]any{"BusinessId": loc, "Name": "AP", "Address": "192.0.2.1", "Secret": secret("Rad1usS3cretZw")})
		a.Do("POST", "/api/sys/radiusclients", admin, map[string]any{"BusinessId": loc, "Name": "AP", "Address": "192.0.2.2", "Secret": secret("Sh0rtQ")})
		// A refused write that names a password: validation answers echo values.
		a.Do("POST", usersPath, admin, map[string]any{"Email": "not an email", "Password": secret("R3fusedPassw0rd")})

		tokens := func() {
			grant := url.Values{"grant_type": {"password"}, "username": {"user@example.com"}, "password": {"Us3rPassw0rdN3w"}}
			if r := a.Do("POST", "/api/token", "", grant); r.Status == http.StatusOK {
				pair := apitest.Decode[apitest.Tokens](t, r)
				secrets = append(secrets, pair.AccessToken, pair.RefreshToken)
				a.Do("GET", businessesPath, pair.AccessToken, nil)
				refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {pair.RefreshToken}}
				if r := a.Do("POST", "/api/token", "", refresh); r.Status == http.StatusOK {
					again := apitest.Decode[apitest.Tokens](t, r)
					secrets = append(secrets, again.AccessToken, again.RefreshToken)
				}
				a.Do("POST", "/api/token", "", refresh) // used twice: refused
			}
			a.Do("POST", "/api/token", "", url.Values{"grant_type": {"password"}, "username": {"user@example.com"}, "password": {secret("Wr0ngPassw0rdHj")}})
			a.Do("POST", "/api/token", "", url.Values{"grant_type": {"password"}, "username": {"nobody@example.com"}, "password": {secret("N0bodyPassw0rdLp")}})
			a.Do("POST", "/api/token", "", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {secret("B0gusRefreshT0ken")}})
			a.Do("GET", businessesPath, secret("B0gusBearerT0ken"), nil)
		}
		// An unregistered card's number is no member's secret: its FailedCheckin
		// names it, so that staff can register the card that was tapped.
		unknownCard := secret("CARD00000W")
		checkins := func() {
			basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("jane@example.com:"+memberPassword))
			for _, c := range []struct {
				body   any
				header []string
			}{
				{map[string]any{"email": "jane@example.com", "password": memberPassword}, nil},
				{map[string]any{"email": "jane@example.com", "password": secret("Wr0ngM3mberPw")}, nil},
				{map[string]any{}, []string{"Authorization: " + basic}},
				{map[string]any{"pincode": pincode}, nil},
				{map[string]any{"pincode": secret("570391")}, nil},
				{map[string]any{"accesscardid": card}, nil},
				{map[string]any{"accesscardid": unknownCard}, nil},
				{map[string]any{"token": accessCode, "mac": "aa-bb-cc-dd-ee-01"}, nil},
				{map[string]any{"token": secret("TKN0000000")}, nil},
				{fmt.Sprintf(`{"pincode":"%s"`, pincode), nil}, // not JSON: INVALID_REQUEST_DATA
			} {
				a.Do("POST", "/api/public/checkin", "", c.body, append(c.header, "Host: acme.localhost")...)
			}
		}
		tokens()
		checkins()
		// The refusals' records are read by anyone holding FailedCheckin-List.
		failed := string(a.Want(a.Do("GET", "/api/spaces/failedcheckins?size=1000", admin, nil), http.StatusOK, "list the failed check-ins").Body)
		for _, s := range secrets {
			if s != unknownCard && strings.Contains(failed, s) {
				t.Errorf("the failed check-ins hold the secret %q: %s", s, failed)
			}
		}
		a.DB.Close() // every error path, now that the database is gone
		tokens()
		checkins()
		a.Do("POST", usersPath, admin, map[string]any{"Email": "late@example.com", "Password": secret("L4tePassw0rdRt")})

		text := logs.String()
		if strings.Count(text, "msg=request") < 40 || !strings.Contains(text, "level=ERROR") && !strings.Contains(text, "level=WARN") {
			t.Fatalf("the logs hold too little to prove anything:\n%s", text)
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("the logs hold the secret %q:\n%s", s, linesWith(text, s))
			}
		}
	}, func(s *httpapi.Server) { s.Log = logger })
}

// linesWith returns the lines of text that hold s.
func linesWith(text, s string) string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
