package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Client sends requests to a running service and fails its test on what
// it cannot do.
type Client struct {
	t   testing.TB
	URL string // the service's base URL, without a trailing slash
}

// NewClient returns a client of the service at url.
func NewClient(t testing.TB, url string) *Client {
	return &Client{t: t, URL: strings.TrimSuffix(url, "/")}
}

// Response is an answer, read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// String shows the status and the start of the body, for failure messages.
func (r *Response) String() string {
	body := bytes.TrimSpace(r.Body)
	if len(body) > 400 {
		body = append(body[:400:400], "..."...)
	}
	return fmt.Sprintf("%d %s", r.Status, body)
}

// Object decodes the answer as a JSON object.
func (r *Response) Object(t testing.TB) map[string]any {
	t.Helper()
	return Decode[map[string]any](t, r)
}

// Decode decodes the answer's JSON body as a T.
func Decode[T any](t testing.TB, r *Response) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, r, err)
	}
	return v
}

// Do sends a request and reads its answer. A body is sent as JSON, except
// a string or []byte (as is) and url.Values (form-encoded); a token is sent
// as a bearer token; each header is written "Name: value".
func (c *Client) Do(method, path, token string, body any, header ...string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.URL+path, encodeBody(c.t, body))
	if err != nil {
		c.t.Fatal(err)
	}
	switch body.(type) {
	case nil:
	case url.Values:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range header {
		name, value, ok := strings.Cut(h, ":")
		switch {
		case !ok:
		case strings.EqualFold(name, "Host"): // net/http sends req.Host, not a Host header
			req.Host = strings.TrimSpace(value)
		default:
			req.Header.Set(name, strings.TrimSpace(value))
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func encodeBody(t testing.TB, body any) io.Reader {
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return strings.NewReader(b)
	case []byte:
		return bytes.NewReader(b)
	case url.Values:
		return strings.NewReader(b.Encode())
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatalf("encode request body: %v", err)
	}
	return bytes.NewReader(b)
}

// Want fails the test unless the answer has the status.
func (c *Client) Want(r *Response, status int, what string) *Response {
	c.t.Helper()
	if r.Status != status {
		c.t.Fatalf("%s: got %s, want status %d", what, r, status)
	}
	return r
}

// Create creates a record through the admin API and returns its Id.
func (c *Client) Create(token, path string, body any) int64 {
	c.t.Helper()
	r := c.Want(c.Do("POST", path, token, body), http.StatusOK, "POST "+path)
	var answer struct{ Value struct{ Id int64 } }
	if err := json.Unmarshal(r.Body, &answer); err != nil || answer.Value.Id <= 0 {
		c.t.Fatalf("POST %s: no Id in %s", path, r)
	}
	return answer.Value.Id
}

// Get reads one record through the admin API.
func (c *Client) Get(token, path string) map[string]any {
	c.t.Helper()
	return c.Want(c.Do("GET", path, token, nil), http.StatusOK, "GET "+path).Object(c.t)
}

// Tokens is the answer of POST /api/token.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// SignIn gets tokens with the password grant; it fails the test unless the
// answer is 200.
func (c *Client) SignIn(email, password string) Tokens {
	c.t.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {email}, "password": {password}}
	r := c.Want(c.Do("POST", "/api/token", "", form), http.StatusOK, "sign in as "+email)
	return Decode[Tokens](c.t, r)
}
