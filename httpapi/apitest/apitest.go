// Package apitest runs the whole service over HTTP on a real, fresh
// database, for end-to-end tests: the same server the binary builds, served
// by httptest, with helpers to send requests, sign in and create records.
package apitest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// API is the service running on one test database.
type API struct {
	t       testing.TB
	URL     string // the server's base URL, without a trailing slash
	DB      *sqlstore.DB
	DSN     string // the --db value of the database, for SQL checks
	Dialect string // "sqlite" or "postgres"
	Clock   *checkin.ManualClock
	Server  *httpapi.Server
	*shared
}

// shared is what the copies made by For have in common.
type shared struct {
	admin   *User        // made on first use
	seq     int          // for unique names and addresses
	sql     *sql.DB      // opened on first use
	cleanup func(func()) // the Cleanup of the test that made the API
}

// For returns the API reporting its failures to t: for subtests, whose
// failures must be reported on their own t.
func (a *API) For(t testing.TB) *API {
	c := *a
	c.t = t
	return &c
}

// New serves the service on a fresh database of the dialect, its clock
// manual. Each configure function may set the server's fields before it
// starts.
func New(t testing.TB, dialect string, clock *checkin.ManualClock, configure ...func(*httpapi.Server)) *API {
	t.Helper()
	dsn := storetest.DSN(t, dialect)
	db, err := sqlstore.Open(context.Background(), dsn, clock, nil)
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	srv := httpapi.New(db)
	for _, fn := range configure {
		fn(srv)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &API{t: t, URL: ts.URL, DB: db, DSN: dsn, Dialect: dialect, Clock: clock, Server: srv, shared: &shared{cleanup: t.Cleanup}}
}

// Each runs fn as a subtest on each test database ("sqlite", and
// "postgres" when storetest.PostgresEnv is set), the clock at storetest.Start.
func Each(t *testing.T, fn func(t *testing.T, a *API), configure ...func(*httpapi.Server)) {
	t.Helper()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			fn(t, New(t, dialect, checkin.NewManualClock(storetest.Start), configure...))
		})
	}
}

// SQL returns the test database opened directly, for checks of what is
// stored.
func (a *API) SQL() *sql.DB {
	a.t.Helper()
	if a.sql == nil {
		driver := "sqlite"
		if a.Dialect == "postgres" {
			driver = "pgx"
		}
		db, err := sql.Open(driver, a.DSN)
		if err != nil {
			a.t.Fatal(err)
		}
		a.cleanup(func() { db.Close() })
		a.sql = db
	}
	return a.sql
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
func (a *API) Do(method, path, token string, body any, header ...string) *Response {
	a.t.Helper()
	req, err := http.NewRequest(method, a.URL+path, encodeBody(a.t, body))
	if err != nil {
		a.t.Fatal(err)
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
		if name, value, ok := strings.Cut(h, ":"); ok {
			req.Header.Set(name, strings.TrimSpace(value))
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
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
func (a *API) Want(r *Response, status int, what string) *Response {
	a.t.Helper()
	if r.Status != status {
		a.t.Fatalf("%s: got %s, want status %d", what, r, status)
	}
	return r
}

// Create creates a record through the admin API and returns its Id.
func (a *API) Create(token, path string, body any) int64 {
	a.t.Helper()
	r := a.Want(a.Do("POST", path, token, body), http.StatusOK, "POST "+path)
	var answer struct{ Value struct{ Id int64 } }
	if err := json.Unmarshal(r.Body, &answer); err != nil || answer.Value.Id <= 0 {
		a.t.Fatalf("POST %s: no Id in %s", path, r)
	}
	return answer.Value.Id
}

// Get reads one record through the admin API.
func (a *API) Get(token, path string) map[string]any {
	a.t.Helper()
	return a.Want(a.Do("GET", path, token, nil), http.StatusOK, "GET "+path).Object(a.t)
}

// Next returns a number not returned before by this API, for unique names.
func (a *API) Next() int {
	a.seq++
	return a.seq
}
