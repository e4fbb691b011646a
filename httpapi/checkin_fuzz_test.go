package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/internal/fuzztest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// FuzzCheckinEndpoint sends POST /api/public/checkin any body and any
// Authorization header, through the whole handler over a SQLite store in
// a temporary directory holding a location with a member (password,
// pincode, card) and an access token. The clock moves a day before each
// request, so that throttling never stops the fuzzing. It never answers 500
// or hangs: every answer is an ActionConfirmation, a refusal naming one
// error, with a status the contract allows.
func FuzzCheckinEndpoint(f *testing.F) {
	clock := checkin.NewManualClock(storetest.Start)
	a := apitest.New(f, "sqlite", clock)
	admin := a.AdminToken()
	loc := a.Create(admin, businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
	a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com",
		"Password": "jane-password", "AccessPincode": "1234", "AccessCardId": "CARD1"})
	a.Create(admin, "/api/spaces/accesstokens", map[string]any{"BusinessId": loc, "AccessCode": "TOKEN1", "MinutesIncluded": 60})
	handler := a.Server.Handler()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("jane@example.com:jane-password"))
	for _, body := range []string{
		`{"pincode":"1234"}`, `{"pincode":1234,"toggle":true}`, `{"email":"jane@example.com","password":"jane-password"}`,
		`{"email":"jane@example.com","pincode":"1234","doNotCheckIn":"true"}`, `{"accessCardId":"card1"}`,
		`{"token":"TOKEN1","mac":"aa-bb-cc-dd-ee-ff"}`, `{"token":"TOKEN1"}`, `{"mac":"aabb.ccdd.eeff","disconnect":true}`,
		`{"mac":"AA:BB:CC:DD:EE:FF","email":"jane@example.com"}`, `{"pincode":"0000"}`, `{}`, `[]`, `{"pincode":"1234"`,
	} {
		f.Add([]byte(body), "")
	}
	f.Add([]byte(`{"mac":"11:22:33:44:55:66"}`), basic)
	f.Add([]byte(`{}`), "Basic amFuZUBleGFtcGxlLmNvbTo=")
	f.Fuzz(func(t *testing.T, body []byte, authorization string) {
		clock.Advance(24*time.Hour + time.Minute)
		fuzztest.Within(t, 10*time.Second, string(body), func() {
			req := httptest.NewRequest("POST", "/api/public/checkin", bytes.NewReader(body))
			req.Host = "acme.localhost"
			req.Header.Set("Content-Type", "application/json")
			if authorization != "" {
				req.Header.Set("Authorization", authorization)
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			checkCheckinAnswer(t, body, rec)
		})
	})
}

func checkCheckinAnswer(t *testing.T, body []byte, rec *httptest.ResponseRecorder) {
	switch rec.Code {
	case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests, http.StatusServiceUnavailable:
	default:
		t.Errorf("%q: got %d %s", body, rec.Code, rec.Body)
		return
	}
	var c checkin.Confirmation
	if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
		t.Errorf("%q: the answer %d %q is not an ActionConfirmation", body, rec.Code, rec.Body)
		return
	}
	if !c.WasSuccessful && (len(c.Errors) != 1 || c.Errors[0].PropertyName != "EventCheckIn" || c.Errors[0].Message == "" || c.Message == "") {
		t.Errorf("%q: a refusal %d %s without one EventCheckIn error and a message", body, rec.Code, rec.Body)
	}
	if c.WasSuccessful && rec.Code != http.StatusOK {
		t.Errorf("%q: a success answered %d", body, rec.Code)
	}
}
