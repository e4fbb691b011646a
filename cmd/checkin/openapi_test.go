package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore"
)

// TestOpenAPINamesEveryServedRoute: the server the binary builds, with
// every package's routes, serves GET /api/openapi.json, an OpenAPI 3.1
// document that names each route it serves (method and path), and no route
// it does not serve. A route added without its documentation fails here:
// see routeDocs in httpapi/openapi.go and Route.Summary.
func TestOpenAPINamesEveryServedRoute(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "api.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := newServer(ctx, db, config{baseDomain: "localhost"}, slog.New(slog.DiscardHandler))
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	c := apitest.NewClient(t, ts.URL)
	doc := c.Want(c.Do("GET", "/api/openapi.json", "", nil), http.StatusOK, "the document").Object(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	paths := doc["paths"].(map[string]any)
	served := map[string]bool{}
	for _, pattern := range s.ServedRoutes() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok || strings.HasPrefix(method, "/") {
			method, path = "", pattern // a page for any method
		}
		served[strings.ToLower(method)+" "+path] = true
		item, _ := paths[path].(map[string]any)
		if item == nil || method != "" && item[strings.ToLower(method)] == nil {
			t.Errorf("%s is served but not in the document", pattern)
		}
	}
	for path, item := range paths {
		for method := range item.(map[string]any) {
			if !served[method+" "+path] && !served[" "+path] {
				t.Errorf("the document names %s %s, which is not served", strings.ToUpper(method), path)
			}
		}
	}
	for _, s := range checkin.Schemas() {
		if _, ok := doc["components"].(map[string]any)["schemas"].(map[string]any)[s.Name]; !ok && paths[s.Path] != nil {
			t.Errorf("no schema for %s", s.Name)
		}
	}
}
