package httpapi_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestDebugLogsOneLinePerDecision: at debug level each check-in is one JSON
// line naming the location, the fields sent, the method and why, the rule
// that decided, the result and the time taken in milliseconds; no password,
// pincode or token appears, and a card only by its last 4 characters.
func TestDebugLogsOneLinePerDecision(t *testing.T) {
	t.Parallel()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			logs := &apitest.LogBuffer{}
			logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			a := apitest.New(t, dialect, checkin.NewManualClock(storetest.Start), func(s *httpapi.Server) { s.Log = logger })
			admin := a.AdminToken()
			loc := a.Create(admin, businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
			a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com",
				"Password": "Jan3Passw0rdQx", "AccessPincode": "482913", "AccessCardId": "CARD77319X"})
			secrets := []string{"Jan3Passw0rdQx", "Wr0ngPassw0rdZz", "482913", "570391", "CARD77319X", "card77319x", "CARD00000W", "TKN8842QXZ"}

			for _, tc := range []struct {
				name string
				body string
				want map[string]any // the line's fields that must be so
			}{
				{"wrong password", `{"email":"Jane@example.com","password":"Wr0ngPassw0rdZz"}`, map[string]any{
					"location": "acme", "fields": "email,password", "method": "password", "why": "email and password were sent (method 3)",
					"rule": "Wrong email or password for jane@example.com.", "result": "INVALID_CREDENTIALS", "email": "jane@example.com"}},
				{"wrong pincode", `{"pincode":"570391"}`, map[string]any{
					"fields": "pincode", "method": "pincode", "rule": "No member of this location has the pincode entered.", "result": "INVALID_CREDENTIALS"}},
				{"unknown card", `{"accessCardId":"CARD00000W","mac":"aa-bb-cc-dd-ee-01"}`, map[string]any{
					"fields": "mac,accessCardId", "method": "card", "card": "…000W", "mac": "aa-bb-cc-dd-ee-01",
					"rule": "Card …000W is not registered to any member.", "result": "INVALID_CARD_NUMBER"}},
				{"unknown token", `{"token":"TKN8842QXZ","mac":"aa-bb-cc-dd-ee-01"}`, map[string]any{
					"fields": "mac,token", "method": "token", "result": "INVALID_ACCESS_TOKEN"}},
				{"no method", `{"toggle":true}`, map[string]any{
					"fields": "toggle", "method": "none", "result": "INVALID_REQUEST_DATA", "status": float64(400)}},
				{"card checks in", `{"accessCardId":"card77319x"}`, map[string]any{
					"method": "card", "card": "…319X", "result": "checked_in", "status": float64(200)}},
			} {
				before := len(decisionLines(t, logs.String()))
				a.Do("POST", "/api/public/checkin", "", json.RawMessage(tc.body), "Host: acme.localhost")
				lines := decisionLines(t, logs.String())
				if len(lines) != before+1 {
					t.Errorf("%s: %d decision lines logged, want 1", tc.name, len(lines)-before)
					continue
				}
				line := lines[len(lines)-1]
				for k, v := range tc.want {
					if line[k] != v {
						t.Errorf("%s: %s = %#v, want %#v (line %v)", tc.name, k, line[k], v, line)
					}
				}
				for _, k := range []string{"location", "fields", "method", "why", "rule", "result", "status"} {
					if line[k] == nil || line[k] == "" {
						t.Errorf("%s: no %s in %v", tc.name, k, line)
					}
				}
				if ms, ok := line["duration_ms"].(float64); !ok || ms <= 0 {
					t.Errorf("%s: duration_ms = %#v, want a positive number of milliseconds", tc.name, line["duration_ms"])
				}
			}
			a.Do("POST", "/api/public/checkin", "", map[string]any{"pincode": "482913"}, "Host: nowhere.localhost")
			if lines := decisionLines(t, logs.String()); lines[len(lines)-1]["result"] != checkin.CodeInvalidAccountSubdomain {
				t.Errorf("an unknown location logs %v, want INVALID_ACCOUNT_SUBDOMAIN", lines[len(lines)-1])
			}
			text := logs.String()
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("the logs hold the secret %q:\n%s", s, linesWith(text, s))
				}
			}
			for _, line := range requestLines(t, text) {
				if _, ok := line["duration_ms"].(float64); !ok || line["duration"] != nil {
					t.Errorf("a request line without a numeric duration_ms: %v", line)
				}
			}
		})
	}
}

// TestDebugLinesOnlyAtDebug: at the info level a check-in logs its request
// line only.
func TestDebugLinesOnlyAtDebug(t *testing.T) {
	logs := &apitest.LogBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	t.Cleanup(func() { // after the subtests
		if lines := decisionLines(t, logs.String()); len(lines) != 0 || len(requestLines(t, logs.String())) == 0 {
			t.Errorf("info level logged %d decision lines, want none", len(lines))
		}
	})
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.Create(a.AdminToken(), businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		a.Create(a.AdminToken(), coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com", "AccessPincode": "1234"})
		a.Want(a.Do("POST", "/api/public/checkin", "", map[string]any{"pincode": "1234"}, "Host: acme.localhost"), http.StatusOK, "check in")
	}, func(s *httpapi.Server) { s.Log = logger })
}

func decisionLines(t *testing.T, text string) []map[string]any {
	return jsonLines(t, text, "check-in decision")
}
func requestLines(t *testing.T, text string) []map[string]any { return jsonLines(t, text, "request") }

// jsonLines returns the JSON log lines whose msg is msg.
func jsonLines(t *testing.T, text, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(text), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}
