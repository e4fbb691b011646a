package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// TestCountersStartAtZero: a fresh server's first scrape has the decision
// and throttling counters at 0; a location's spraying series is at 0 from
// its first refused pincode, before spraying can be told.
func TestCountersStartAtZero(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		first := string(a.Want(a.Do("GET", "/metrics", "", nil), http.StatusOK, "the first scrape").Body)
		for _, want := range []string{
			`checkin_decisions_total{method="none",result="INVALID_REQUEST_DATA"} 0`,
			`checkin_decisions_total{method="pincode",result="INVALID_CREDENTIALS"} 0`,
			`checkin_decisions_total{method="token",result="TOKEN_DEPLETED"} 0`,
			`checkin_throttled_total{key="identity",kind="password"} 0`,
			`checkin_http_requests_total{code="500",route="POST /api/public/checkin"} 0`,
			`checkin_http_request_duration_seconds_count{route="POST /api/public/checkin"} 0`,
		} {
			if !strings.Contains(first, want+"\n") {
				t.Errorf("the first scrape has no line %s", want)
			}
		}
		loc := a.Create(a.AdminToken(), businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		a.Create(a.AdminToken(), coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com", "AccessPincode": "1234"})
		a.Do("POST", "/api/public/checkin", "", map[string]any{"pincode": "9999"}, "Host: acme.localhost")
		after := string(a.Want(a.Do("GET", "/metrics", "", nil), http.StatusOK, "/metrics").Body)
		for _, want := range []string{`checkin_pincode_spraying_total{location="acme"} 0`, `checkin_decisions_total{method="pincode",result="INVALID_CREDENTIALS"} 1`} {
			if !strings.Contains(after, want+"\n") {
				t.Errorf("after a refused pincode, no line %s", want)
			}
		}
	})
}
