package httpapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// TestKnownPathWrongMethodIs405: a path that has routes, asked with another
// method, is answered 405 in JSON with the methods it answers in Allow.
func TestKnownPathWrongMethodIs405(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		for _, tc := range []struct {
			method, path string
			allow        []string // in Allow, among others
		}{
			{"GET", "/api/token", []string{"POST"}},
			{"GET", "/api/public/checkin", []string{"POST"}},
			{"POST", "/healthz", []string{"GET", "HEAD"}},
			{"DELETE", "/readyz", []string{"GET", "HEAD"}},
			{"PUT", "/metrics", []string{"GET", "HEAD"}},
			{"DELETE", businessesPath, []string{"GET", "HEAD", "POST", "PUT"}},
			{"POST", businessesPath + "/7", []string{"GET", "HEAD", "DELETE"}},
		} {
			r := a.Do(tc.method, tc.path, a.AdminToken(), nil)
			allow := r.Header.Get("Allow")
			if r.Status != http.StatusMethodNotAllowed || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				t.Errorf("%s %s: got %s, want a JSON 405", tc.method, tc.path, r)
				continue
			}
			methods := strings.Split(allow, ", ")
			for _, m := range tc.allow {
				if !slices.Contains(methods, m) {
					t.Errorf("%s %s: Allow %q, want %s in it", tc.method, tc.path, allow, m)
				}
			}
			if slices.Contains(methods, tc.method) {
				t.Errorf("%s %s: Allow %q names the method refused", tc.method, tc.path, allow)
			}
			if msg, _ := r.Object(t)["Message"].(string); !strings.Contains(msg, allow) {
				t.Errorf("%s %s: message %q does not name the methods %s", tc.method, tc.path, msg, allow)
			}
		}
	})
}

// TestHEADWorksWhereGETDoes: HEAD answers what GET answers, without a body.
func TestHEADWorksWhereGETDoes(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		token := a.AdminToken()
		id := a.Create(token, businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		for _, path := range []string{"/healthz", "/readyz", "/metrics", businessesPath, businessesPath + "/" + strconv.FormatInt(id, 10), businessesPath + "/999999"} {
			get, head := a.Do("GET", path, token, nil), a.Do("HEAD", path, token, nil)
			if head.Status != get.Status || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || len(head.Body) != 0 {
				t.Errorf("HEAD %s: got %d %q with %d bytes, want GET's %d %q and no body", path,
					head.Status, head.Header.Get("Content-Type"), len(head.Body), get.Status, get.Header.Get("Content-Type"))
			}
		}
	})
}

// TestEvery401CarriesWWWAuthenticate: each way of being refused for want
// of credentials names the scheme to use.
func TestEvery401CarriesWWWAuthenticate(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		seen := 0
		for _, tc := range []struct {
			method, path, token string
			body                any
			header              []string
		}{
			{"GET", businessesPath, "", nil, nil},
			{"GET", businessesPath, "not-a-token", nil, nil},
			{"GET", businessesPath + "/1", "", nil, nil},
			{"POST", businessesPath, "", map[string]any{"Name": "X"}, nil},
			{"DELETE", businessesPath + "/1", "", nil, nil},
			{"GET", "/api/spaces/failedcheckins", "", nil, []string{"Authorization: Basic Zm9vOmJhcg=="}},
			{"GET", "/api/spaces/coworkers", "", nil, []string{"Authorization: Bearer"}},
			{"POST", "/api/token", "", url.Values{"grant_type": {"password"}, "username": {"nobody@example.com"}, "password": {"wrong-password"}}, nil},
			{"POST", "/api/token", "", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"bogus"}}, nil},
		} {
			r := a.Do(tc.method, tc.path, tc.token, tc.body, tc.header...)
			if r.Status != http.StatusUnauthorized {
				continue
			}
			seen++
			if r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s: 401 without WWW-Authenticate", tc.method, tc.path)
			}
		}
		if seen < 5 {
			t.Errorf("only %d of the requests were answered 401; the test proves too little", seen)
		}
	})
}
