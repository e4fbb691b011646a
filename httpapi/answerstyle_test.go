package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// TestCheckinAnswerFollowsRequestStyle: a card reader written from the
// older Nexudus documentation sends PascalCase and reads Status and
// Value.FullName; a client of checkin-endpoint.txt sends camelCase and
// gets exactly its shape.
func TestCheckinAnswerFollowsRequestStyle(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.Create(admin, businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		jane := a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane Doe", "Email": "jane@example.com", "AccessCardId": "CARD-1"})
		for _, tc := range []struct {
			name, body string
			status     int
			want       []string // parts of the answer, in order
			notWant    []string
		}{
			{"PascalCase card", `{"AccessCardId":"CARD-1"}`, 200,
				[]string{`{"Status":200,"Message":"`, `"Value":{"FullName":"Jane Doe","CoworkerId":` + itoa(jane), `"CheckedIn":true`, `"SessionExpire":"`, `"Errors":null,"WasSuccessful":true}`},
				[]string{"wasSuccessful", "fullName"}},
			{"PascalCase refusal", ` { "AccessCardId" : "CARD-2"}`, 200,
				[]string{`{"Status":200,"Message":"Invalid card number.","Value":null,"Errors":[{"PropertyName":"EventCheckIn","Message":"INVALID_CARD_NUMBER"}],"WasSuccessful":false}`}, nil},
			{"PascalCase invalid", `{"AccessCardId":["x"]}`, 400,
				[]string{`{"Status":400,"Message":"Invalid request data","Value":null,"Errors":[{"PropertyName":"EventCheckIn","Message":"INVALID_REQUEST_DATA"}],"WasSuccessful":false}`}, nil},
			{"camelCase card", `{"accessCardId":"CARD-1"}`, 200,
				[]string{`{"wasSuccessful":true,"message":"`, `"value":{"fullName":"Jane Doe","coworkerId":` + itoa(jane)}, []string{"Status", "WasSuccessful"}},
			{"camelCase refusal", `{"accessCardId":"CARD-2"}`, 200,
				[]string{`{"wasSuccessful":false,"message":"Invalid card number.","errors":[{"propertyName":"EventCheckIn","message":"INVALID_CARD_NUMBER"}]}`}, nil},
			{"no body", ``, 400, []string{`{"wasSuccessful":false,"message":"Invalid request data"`}, nil},
		} {
			r := a.Do("POST", "/api/public/checkin", "", tc.body, "Content-Type: application/json", "Host: acme.localhost")
			body := strings.TrimSpace(string(r.Body))
			if r.Status != tc.status {
				t.Errorf("%s: got %s, want %d", tc.name, r, tc.status)
			}
			rest := body
			for _, part := range tc.want {
				i := strings.Index(rest, part)
				if i < 0 {
					t.Errorf("%s: answer %s lacks %s (in this order)", tc.name, body, part)
					break
				}
				rest = rest[i+len(part):]
			}
			for _, part := range tc.notWant {
				if strings.Contains(body, part) {
					t.Errorf("%s: answer %s holds %s", tc.name, body, part)
				}
			}
		}
	})
}

// TestInvalidRequestDataReasonIsLogged: the reason of INVALID_REQUEST_DATA
// is logged at info, never the values sent.
func TestInvalidRequestDataReasonIsLogged(t *testing.T) {
	logs := &apitest.LogBuffer{}
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		a.Create(a.AdminToken(), businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		for _, tc := range []struct{ body, reason string }{
			{`{"pincode":{"x":1}}`, "the field pincode must be a string"},
			{`{"toggle":"maybe"}`, "the field toggle must be true or false"},
			{`[1,2]`, "the body is not a JSON object"},
			{`{"email":"a@b.c","EMAIL":"Secr3tValue@b.c"}`, "given twice"},
		} {
			a.Want(a.Do("POST", "/api/public/checkin", "", tc.body, "Host: acme.localhost"), http.StatusBadRequest, tc.body)
			if !strings.Contains(logs.String(), tc.reason) {
				t.Errorf("%s: the log lacks %q:\n%s", tc.body, tc.reason, logs)
			}
		}
		if strings.Contains(logs.String(), "Secr3tValue") || strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("the log shows a value sent, or an error:\n%s", logs)
		}
	}, func(s *httpapi.Server) { s.Log = slog.New(slog.NewTextHandler(logs, nil)) })
}

// TestClientThatWentAwayIsNotAServerError: a request whose client is gone
// before its answer is logged at info and counted as 499, not 5xx.
func TestClientThatWentAwayIsNotAServerError(t *testing.T) {
	logs := &apitest.LogBuffer{}
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		a.Create(a.AdminToken(), businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		h := a.Server.Handler()
		gone, cancel := context.WithCancel(context.Background())
		cancel()
		for _, tc := range []struct{ method, path, body string }{
			{"POST", "/api/public/checkin", `{"pincode":"1234"}`},
			{"POST", businessesPath, `{"Name":"Beta","WebAddress":"beta"}`},
		} {
			path := tc.path
			req := httptest.NewRequestWithContext(gone, tc.method, path, strings.NewReader(tc.body))
			req.Host = "acme.localhost"
			req.Header.Set("Authorization", "Bearer "+a.AdminToken())
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 499 {
				t.Errorf("%s with its client gone: got %d %s, want 499", path, w.Code, w.Body)
			}
		}
		metrics := string(a.Do("GET", "/metrics", "", nil).Body)
		if strings.Contains(metrics, `status="5`) {
			t.Errorf("a gone client was counted as a 5xx:\n%s", metrics)
		}
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("a gone client was logged as an error:\n%s", logs)
		}
	}, func(s *httpapi.Server) {
		s.Log = slog.New(slog.NewTextHandler(logs, nil))
		// httptest's requests come from 192.0.2.1: trusted, so that the
		// check-in goes past the per-address turn to the database.
		s.TrustedDevices = []netip.Prefix{netip.MustParsePrefix("192.0.2.1/32")}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
