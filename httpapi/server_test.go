package httpapi_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

func TestHealthAndReadiness(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		for _, path := range []string{"/healthz", "/readyz"} {
			a.Want(a.Do("GET", path, "", nil), http.StatusOK, path)
		}
		a.DB.Close() // the database stops answering
		if r := a.Do("GET", "/readyz", "", nil); r.Status != http.StatusServiceUnavailable {
			t.Errorf("/readyz without a database: got %s, want 503", r)
		}
		a.Want(a.Do("GET", "/healthz", "", nil), http.StatusOK, "/healthz without a database")
	})
}

// TestUnknownRoutesAnswerJSON404 ("/" is the console's, docs/pages.md).
func TestUnknownRoutesAnswerJSON404(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		for _, tc := range []struct{ method, path string }{
			{"GET", "/nope"},
			{"GET", "/api/sys/businesses/1/extra"},
			{"POST", "/api/nothing"},
		} {
			r := a.Do(tc.method, tc.path, a.AdminToken(), nil)
			want := map[string]any{"Message": "There is no route " + tc.method + " " + tc.path + ".", "Value": nil, "WasSuccessful": false, "Errors": nil}
			if r.Status != http.StatusNotFound || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || !reflect.DeepEqual(r.Object(t), want) {
				t.Errorf("%s %s: got %s (%s), want a JSON 404", tc.method, tc.path, r, r.Header.Get("Content-Type"))
			}
		}
	})
}

func TestMetricsCountRequestsByRoutePattern(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		token := a.AdminToken()
		a.Do("GET", "/healthz", "", nil)
		a.Do("GET", "/healthz", "", nil)
		a.Do("GET", "/api/sys/businesses/12345", token, nil)
		a.Do("GET", "/no/such/route", "", nil)
		r := a.Want(a.Do("GET", "/metrics", "", nil), http.StatusOK, "/metrics")
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("Content-Type = %q, want the Prometheus text format", ct)
		}
		text := string(r.Body)
		for _, want := range []string{
			"# TYPE checkin_http_requests_total counter",
			`checkin_http_requests_total{code="200",route="GET /healthz"} 2`,
			`checkin_http_requests_total{code="200",route="POST /api/token"} 1`,
			`checkin_http_requests_total{code="404",route="GET /api/sys/businesses/{id}"} 1`,
			`checkin_http_requests_total{code="404",route="unmatched"} 1`,
			"# TYPE checkin_http_request_duration_seconds histogram",
			`checkin_http_request_duration_seconds_bucket{route="GET /healthz",le="+Inf"} 2`,
			`checkin_http_request_duration_seconds_count{route="GET /api/sys/businesses/{id}"} 1`,
			"go_goroutines ",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("/metrics has no line %q", want)
			}
		}
		for _, raw := range []string{"/api/sys/businesses/12345", "/no/such/route"} {
			if strings.Contains(text, raw) {
				t.Errorf("/metrics labels a raw path %q; want route patterns only", raw)
			}
		}
	})
}

func TestTheHarnessServesThePublicCheckin(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.Create(a.AdminToken(), businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		a.Create(a.AdminToken(), coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com", "AccessPincode": "1234"})
		for _, tc := range []struct {
			host       string
			wantStatus int
			wantText   string
		}{
			{"Host: acme.localhost", http.StatusOK, `"wasSuccessful":true`},
			{"Host: nowhere.localhost", http.StatusNotFound, "INVALID_ACCOUNT_SUBDOMAIN"},
		} {
			r := a.Do("POST", "/api/public/checkin", "", map[string]any{"pincode": "1234"}, tc.host)
			if r.Status != tc.wantStatus || !strings.Contains(string(r.Body), tc.wantText) {
				t.Errorf("a check-in with %s: got %s, want %d with %s", tc.host, r, tc.wantStatus, tc.wantText)
			}
		}
	})
}
