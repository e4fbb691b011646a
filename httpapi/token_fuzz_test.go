package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/cmd/checkin/wire"
	"github.com/checkin-oss/checkin/internal/fuzztest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// oauthErrors are the error codes of RFC 6749, section 5.2.
var oauthErrors = map[string]bool{"invalid_request": true, "invalid_client": true, "invalid_grant": true,
	"unauthorized_client": true, "unsupported_grant_type": true, "invalid_scope": true}

// FuzzTokenEndpoint sends POST /api/token any body with any Content-Type,
// through the whole handler over a SQLite store in a temporary directory
// that holds one user. The clock moves a day before each request, so that
// throttling never stops the fuzzing (every input comes from one address,
// and most are wrong passwords): a 429 is a failure. It never answers 500
// or hangs: it answers 200 with a bearer token pair, or an error in
// OAuth2's shape, or 413/415/503 in JSON.
func FuzzTokenEndpoint(f *testing.F) {
	clock := checkin.NewManualClock(storetest.Start)
	db := storetest.Open(f, "sqlite", clock)
	if _, err := db.EnsureAdmin(context.Background(), "admin@example.com", "admin-password"); err != nil {
		f.Fatal(err)
	}
	handler := wire.Server(db, nil, nil).Handler()
	const form = "application/x-www-form-urlencoded"
	for _, seed := range []struct{ contentType, body string }{
		{form, "grant_type=password&username=admin%40example.com&password=admin-password"},
		{form, "grant_type=password&username=Admin@Example.com&password=wrong"},
		{form, "grant_type=password&username=&password="},
		{form, "grant_type=refresh_token&refresh_token=abc"},
		{form, "grant_type=refresh_token&refresh_token="},
		{form, "grant_type=client_credentials"},
		{form, "grant_type=password&grant_type=refresh_token&username=a&password=b"},
		{form, "grant_type=password&username=a%00b&password=x"},
		{form, "grant_type=%zz"},
		{form, ";;;&&&==="},
		{"application/x-www-form-urlencoded; charset=utf-8", "grant_type=password&username=admin%40example.com&password=admin-password"},
		{"application/json", `{"grant_type":"password"}`},
		{"", "grant_type=password"},
		{"multipart/form-data; boundary=x", "--x--"},
		{"application/x-www-form-urlencoded; charset", ""},
	} {
		f.Add(seed.contentType, seed.body)
	}
	f.Fuzz(func(t *testing.T, contentType, body string) {
		clock.Advance(24*time.Hour + time.Minute)
		fuzztest.Within(t, 10*time.Second, contentType+"\n"+body, func() {
			req := httptest.NewRequest("POST", "/api/token", strings.NewReader(body))
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			checkTokenAnswer(t, contentType, body, rec)
			if rec.Code == http.StatusTooManyRequests {
				t.Errorf("%q %q: throttled although the clock moved a day: %s", contentType, body, rec.Body)
			}
		})
	})
}

func checkTokenAnswer(t *testing.T, contentType, body string, rec *httptest.ResponseRecorder) {
	var answer struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		RefreshToken string `json:"refresh_token"`
		Error        string `json:"error"`
		Message      string `json:"Message"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
		t.Errorf("%q %q: the answer %d %q is not JSON", contentType, body, rec.Code, rec.Body)
		return
	}
	switch rec.Code {
	case http.StatusOK:
		if answer.AccessToken == "" || answer.RefreshToken == "" || answer.TokenType != "bearer" {
			t.Errorf("%q %q: 200 without a bearer token pair: %s", contentType, body, rec.Body)
		}
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		if !oauthErrors[answer.Error] {
			t.Errorf("%q %q: %d with the error %q, not one of OAuth2's", contentType, body, rec.Code, answer.Error)
		}
		if rec.Code == http.StatusTooManyRequests && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%q %q: 429 without Retry-After", contentType, body)
		}
	case http.StatusUnsupportedMediaType, http.StatusServiceUnavailable:
	default:
		t.Errorf("%q %q: got %d %s", contentType, body, rec.Code, rec.Body)
	}
}
