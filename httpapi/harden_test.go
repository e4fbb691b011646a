package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// bodyRoute is a route that reads a body, and the content type it reads.
type bodyRoute struct{ method, path, contentType string }

// bodyRoutes returns every route that reads a body: the token endpoint, the
// public check-in, and each entity's create and replace.
func bodyRoutes() []bodyRoute {
	routes := []bodyRoute{
		{"POST", "/api/token", "application/x-www-form-urlencoded"},
		{"POST", "/api/public/checkin", "application/json"},
	}
	for _, s := range checkin.Schemas() {
		routes = append(routes, bodyRoute{"POST", s.Path, "application/json"}, bodyRoute{"PUT", s.Path, "application/json"})
	}
	return routes
}

// send sends a raw body; chunked hides its length, as a streaming client
// would.
func send(t *testing.T, a *apitest.API, method, path, contentType string, body []byte, chunked bool, header ...string) *http.Response {
	t.Helper()
	var reader io.Reader = bytes.NewReader(body)
	if chunked {
		reader = io.MultiReader(reader) // no length known: sent chunked
	}
	req, err := http.NewRequest(method, a.URL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "acme.localhost"
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+a.AdminToken())
	for _, h := range header {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Set(name, strings.TrimSpace(value))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

func TestBodiesOverSixtyFourKiBAreAnswered413(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		a.Create(a.AdminToken(), businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		// Valid JSON and valid form encoding, only too long.
		jsonBody := []byte(`{"Name":"` + strings.Repeat("x", 65<<10) + `"}`)
		formBody := []byte("grant_type=password&username=a%40example.com&password=" + strings.Repeat("x", 65<<10))
		for _, route := range bodyRoutes() {
			body := jsonBody
			if strings.HasPrefix(route.contentType, "application/x-www") {
				body = formBody
			}
			for _, chunked := range []bool{false, true} {
				resp := send(t, a, route.method, route.path, route.contentType, body, chunked)
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(raw, []byte("64 KiB")) || !json.Valid(raw) {
					t.Errorf("%s %s with a 65 KiB body (chunked %v): got %d %s, want 413 in JSON naming 64 KiB", route.method, route.path, chunked, resp.StatusCode, raw)
				}
			}
		}
		var refusal checkin.Confirmation
		resp := send(t, a, "POST", "/api/public/checkin", "application/json", jsonBody, false)
		if err := json.NewDecoder(resp.Body).Decode(&refusal); err != nil || len(refusal.Errors) != 1 || refusal.Errors[0].Message != checkin.CodeInvalidRequestData {
			t.Errorf("a 65 KiB check-in: got %+v (%v), want a refusal INVALID_REQUEST_DATA", refusal, err)
		}
		resp.Body.Close()
		if n := a.Get(a.AdminToken(), "/api/spaces/failedcheckins")["TotalItems"]; n != json.Number("0") {
			t.Errorf("FailedCheckins after refused bodies: %v, want 0 (nothing was decided)", n)
		}
	})
}

func TestBodiesUpToSixtyFourKiBAreRead(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		prefix, suffix := `{"Name":"`, `","WebAddress":"big"}`
		name := strings.Repeat("x", 64<<10-len(prefix)-len(suffix))
		body := []byte(prefix + name + suffix)
		resp := send(t, a, "POST", businessesPath, "application/json", body, true)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusRequestEntityTooLarge {
			t.Errorf("a body of exactly 64 KiB: got %d %s, want it read", resp.StatusCode, raw)
		}
	})
}

// A body shorter than its Content-Length, its sender gone quiet, is
// answered 400 in its route's shape as soon as the connection says no more
// is coming; nothing is decided.
func TestBodiesCutShortAreAnswered400(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		a.Create(a.AdminToken(), businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		conn, err := net.Dial("tcp", strings.TrimPrefix(a.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		body := `{"accessCardId":"CA`
		fmt.Fprintf(conn, "POST /api/public/checkin HTTP/1.1\r\nHost: acme.localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body)+20, body)
		conn.(*net.TCPConn).CloseWrite()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var refusal checkin.Confirmation
		if err := json.NewDecoder(resp.Body).Decode(&refusal); err != nil || resp.StatusCode != http.StatusBadRequest ||
			len(refusal.Errors) != 1 || refusal.Errors[0].Message != checkin.CodeInvalidRequestData || !strings.Contains(refusal.Message, "could not be read") {
			t.Errorf("a check-in body cut short: got %d %+v (%v), want 400 INVALID_REQUEST_DATA saying the body could not be read", resp.StatusCode, refusal, err)
		}
		if n := a.Get(a.AdminToken(), "/api/spaces/failedcheckins")["TotalItems"]; n != json.Number("0") {
			t.Errorf("FailedCheckins after a body cut short: %v, want 0 (nothing was decided)", n)
		}
	})
}

func TestAdminBodiesNestedTooDeepAreRefused(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		deep := `{"Name":"Deep","WebAddress":"deep","Extra":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`
		r := a.Do("POST", businessesPath, a.AdminToken(), deep, "Content-Type: application/json")
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "deeper than 8 levels") {
			t.Errorf("an admin body nested 1000 deep: got %s, want 400 naming the limit", r)
		}
		shallow := `{"Name":"Shallow","WebAddress":"shallow","Extra":[[[{"a":[1]}]]]}`
		a.Want(a.Do("POST", businessesPath, a.AdminToken(), shallow, "Content-Type: application/json"), http.StatusOK, "a body nested 6 deep")
	})
}

func TestContentTypesAreChecked(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		a.Create(a.AdminToken(), businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		form := "grant_type=password&username=" + apitest.AdminEmail + "&password=" + apitest.AdminPassword
		for _, tc := range []struct {
			name, method, path, body, contentType string
			want                                  int
			wantText                              string
		}{
			// The admin API reads JSON, with or without the header, and forms.
			{"admin create as text", "POST", businessesPath, `{"Name":"T","WebAddress":"t"}`, "text/plain", http.StatusUnsupportedMediaType, "application/json"},
			{"admin create as a form", "POST", businessesPath, "Name=T&WebAddress=t", "application/x-www-form-urlencoded", http.StatusOK, "WasSuccessful"},
			{"admin replace as XML", "PUT", businessesPath, `<Business/>`, "application/xml", http.StatusUnsupportedMediaType, "application/json"},
			{"admin create as +json", "POST", businessesPath, `{"Name":"J","WebAddress":"j"}`, "application/vnd.checkin+json", http.StatusOK, "WasSuccessful"},
			{"admin create without a type", "POST", businessesPath, `{"Name":"N","WebAddress":"n"}`, "", http.StatusOK, "WasSuccessful"},
			// OAuth2 answers every error 400 with its own codes (RFC 6749, 5.2).
			{"token as JSON", "POST", "/api/token", `{"grant_type":"password"}`, "application/json", http.StatusBadRequest, "unsupported_grant_type"},
			{"token without a type", "POST", "/api/token", form, "", http.StatusBadRequest, "unsupported_grant_type"},
			{"token as a form", "POST", "/api/token", form, "application/x-www-form-urlencoded", http.StatusOK, "access_token"},
			// The check-in answers a body it cannot use 400 INVALID_REQUEST_DATA (API.md).
			{"check-in as a form", "POST", "/api/public/checkin", "pincode=1234", "application/x-www-form-urlencoded", http.StatusBadRequest, checkin.CodeInvalidRequestData},
			{"check-in as text", "POST", "/api/public/checkin", `{"pincode":"1234"}`, "text/plain", http.StatusBadRequest, checkin.CodeInvalidRequestData},
		} {
			header := []string{"Host: acme.localhost"}
			if tc.contentType != "" {
				header = append(header, "Content-Type: "+tc.contentType)
			}
			r := a.Do(tc.method, tc.path, a.AdminToken(), tc.body, header...)
			if r.Status != tc.want || !strings.Contains(string(r.Body), tc.wantText) {
				t.Errorf("%s: got %s, want %d with %q", tc.name, r, tc.want, tc.wantText)
			}
		}
	})
}

// securityHeaders are on every answer of the service.
var securityHeaders = map[string]string{
	"X-Content-Type-Options":  "nosniff",
	"Cache-Control":           "no-store",
	"Referrer-Policy":         "no-referrer",
	"X-Frame-Options":         "DENY",
	"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}

func TestEveryAnswerHasTheSecurityHeaders(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		a.Create(a.AdminToken(), businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		for _, tc := range []struct {
			method, path, token string
			body                any
		}{
			{"GET", "/healthz", "", nil},
			{"GET", "/readyz", "", nil},
			{"GET", "/metrics", "", nil},
			{"GET", "/nowhere", "", nil},
			{"POST", "/api/token", "", "grant_type=nonsense"},
			{"POST", "/api/public/checkin", "", map[string]any{"pincode": "0000"}},
			{"GET", businessesPath, "", nil},
			{"GET", businessesPath, "not-a-token", nil},
			{"GET", businessesPath, a.AdminToken(), nil},
			{"POST", "/api/spaces/failedcheckins", a.AdminToken(), map[string]any{}},
			{"POST", businessesPath, a.AdminToken(), map[string]any{}},
		} {
			r := a.Do(tc.method, tc.path, tc.token, tc.body, "Host: acme.localhost")
			for name, want := range securityHeaders {
				if got := r.Header.Get(name); got != want {
					t.Errorf("%s %s (%d): %s = %q, want %q", tc.method, tc.path, r.Status, name, got, want)
				}
			}
		}
	})
}

func TestCORSOnlyForTheConfiguredOrigins(t *testing.T) {
	const allowed = "https://desk.example.com"
	withCORS := func(s *httpapi.Server) { s.CORSOrigins = []string{allowed, "https://Other.Example.com/"} }
	preflight := []string{"Access-Control-Request-Method: POST", "Access-Control-Request-Headers: authorization, content-type"}
	t.Run("configured", func(t *testing.T) {
		apitest.Each(t, func(t *testing.T, a *apitest.API) {
			r := a.Do("OPTIONS", businessesPath, "", nil, append(preflight, "Origin: "+allowed)...)
			if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != allowed ||
				!strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "PUT") ||
				!strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
				t.Errorf("a preflight from %s: got %s %v, want 204 allowing it", allowed, r, r.Header)
			}
			r = a.Do("GET", businessesPath, a.AdminToken(), nil, "Origin: https://other.example.com")
			if r.Status != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != "https://other.example.com" || r.Header.Get("Vary") != "Origin" {
				t.Errorf("a GET from a configured origin in another case: got %s %v, want it allowed, Vary: Origin", r, r.Header)
			}
			for _, origin := range []string{"https://evil.example.com", "https://desk.example.com.evil.com", "http://desk.example.com", "null"} {
				r := a.Do("OPTIONS", businessesPath, "", nil, append(preflight, "Origin: "+origin)...)
				if r.Status != http.StatusMethodNotAllowed || hasCORSHeaders(r.Header) {
					t.Errorf("a preflight from %s: got %s %v, want 405 without CORS headers", origin, r, r.Header)
				}
				r = a.Do("GET", businessesPath, a.AdminToken(), nil, "Origin: "+origin)
				if r.Status != http.StatusOK || hasCORSHeaders(r.Header) {
					t.Errorf("a GET from %s: got %s %v, want 200 without CORS headers", origin, r, r.Header)
				}
			}
		}, withCORS)
	})
	t.Run("not configured", func(t *testing.T) {
		apitest.Each(t, func(t *testing.T, a *apitest.API) {
			r := a.Do("OPTIONS", businessesPath, "", nil, append(preflight, "Origin: "+allowed)...)
			if r.Status != http.StatusMethodNotAllowed || hasCORSHeaders(r.Header) || r.Header.Get("Vary") != "" {
				t.Errorf("a preflight without --cors-origins: got %s %v, want 405 without CORS headers", r, r.Header)
			}
			r = a.Do("GET", businessesPath, a.AdminToken(), nil, "Origin: "+allowed)
			if hasCORSHeaders(r.Header) {
				t.Errorf("a GET without --cors-origins: headers %v, want no CORS headers", r.Header)
			}
		})
	})
}

func hasCORSHeaders(h http.Header) bool {
	for name := range h {
		if strings.HasPrefix(name, "Access-Control-") {
			return true
		}
	}
	return false
}
