package httpapi

import (
	"net/http"
	"slices"
	"strings"
)

// openAPIPath serves the OpenAPI 3.1 document of every route.
const openAPIPath = "/api/openapi.json"

// routeMux is the server's ServeMux, remembering each pattern registered,
// so that a test can check that the document names every served route.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

// ServedRoutes returns the patterns the handler serves ("GET /healthz"),
// once Handler has run.
func (s *Server) ServedRoutes() []string { return append([]string(nil), s.served...) }

// op is one operation of the document.
type op = map[string]any

// routeDocs document the service's own routes that are not an entity's;
// an entity's routes are generated from its declaration (resourceOps), and
// another package's from its Route.Summary. Add a route here when you add
// it to Handler.
var routeDocs = map[string]op{
	"GET " + openAPIPath: {"summary": "This document (OpenAPI 3.1).", "tags": []string{"Service"}, "security": []any{},
		"responses": op{"200": jsonResponse("The document.", op{"type": "object"})}},
	"GET /healthz": {"summary": "200 while the process is up, with its version.", "tags": []string{"Service"}, "security": []any{},
		"responses": op{"200": jsonResponse("Up.", op{"type": "object"})}},
	"GET /readyz": {"summary": "200 only while the database answers; 503 otherwise.", "tags": []string{"Service"}, "security": []any{},
		"responses": op{"200": jsonResponse("Ready.", op{"type": "object"}), "503": jsonResponse("The database does not answer.", op{"type": "object"})}},
	"GET /metrics": {"summary": "Prometheus metrics, in the text format.", "tags": []string{"Service"}, "security": []any{},
		"responses": op{"200": op{"description": "The metrics.", "content": op{"text/plain": op{"schema": op{"type": "string"}}}}}},
	"POST " + tokenPath: {"summary": "OAuth2 tokens: grant_type=password (username, password) or grant_type=refresh_token (refresh_token), form-encoded. Wrong passwords are throttled (429 with Retry-After).",
		"tags": []string{"Authentication"}, "security": []any{},
		"requestBody": op{"required": true, "content": op{formType: op{"schema": op{"type": "object", "properties": op{
			"grant_type": op{"type": "string", "enum": []string{"password", "refresh_token"}}, "username": op{"type": "string"},
			"password": op{"type": "string", "writeOnly": true}, "refresh_token": op{"type": "string"}}, "required": []string{"grant_type"}}}}},
		"responses": op{"200": jsonResponse("The tokens.", ref("TokenAnswer")), "400": jsonResponse("invalid_grant, invalid_request or unsupported_grant_type.", ref("OAuthError")),
			"429": jsonResponse("Throttled: too many wrong passwords.", ref("OAuthError"))}},
	"POST " + checkinPath: {"summary": "Check in, check out or toggle (checkin-endpoint.txt). The location is the Host's subdomain. A body whose first key is PascalCase is answered in PascalCase with Status in the body.",
		"tags": []string{"Check-in"}, "security": []any{op{}, op{"basic": []string{}}},
		"requestBody": op{"content": op{"application/json": op{"schema": ref("CheckInRequest")}}},
		"responses": op{"200": jsonResponse("Every decision, refusals included.", ref("ActionConfirmation")),
			"400": jsonResponse("INVALID_REQUEST_DATA.", ref("ActionConfirmation")), "404": jsonResponse("INVALID_ACCOUNT_SUBDOMAIN.", ref("ActionConfirmation")),
			"429": jsonResponse("Throttled: not decided; see Retry-After.", ref("ActionConfirmation")), "503": jsonResponse("The database is unavailable.", ref("ActionConfirmation"))}},
	"GET " + eventsPath: {"summary": "The stream of check-in events (Server-Sent Events), for Checkin-List holders.", "tags": []string{"Checkin"},
		"responses": op{"200": op{"description": "The event stream.", "content": op{"text/event-stream": op{"schema": op{"type": "string"}}}}}},
	"GET /api/sys/businesses/{id}/occupancy": {"summary": "How many members are checked in at the location now, for Checkin-List holders.", "tags": []string{"Business"},
		"parameters": []any{idParam}, "responses": op{"200": jsonResponse("The occupancy.", op{"type": "object"})}},
}

var idParam = op{"name": "id", "in": "path", "required": true, "schema": op{"type": "integer", "format": "int64"}}

func ref(name string) op { return op{"$ref": "#/components/schemas/" + name} }

func jsonResponse(description string, schema op) op {
	return op{"description": description, "content": op{"application/json": op{"schema": schema}}}
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.OpenAPI())
}

// OpenAPI returns the OpenAPI 3.1 document of the routes Handler serves.
func (s *Server) OpenAPI() map[string]any {
	paths := op{}
	add := func(pattern string, o op) {
		method, path, _ := strings.Cut(pattern, " ")
		item, _ := paths[path].(op)
		if item == nil {
			item = op{}
			paths[path] = item
		}
		item[strings.ToLower(method)] = o
	}
	schemas := componentSchemas()
	for _, res := range s.Resources {
		for pattern, o := range resourceOps(res.Schema()) {
			add(pattern, o)
		}
		schemas[res.Schema().Name] = entitySchema(res.Schema())
	}
	for pattern, o := range routeDocs {
		if slices.Contains(s.served, pattern) {
			add(pattern, o)
		}
	}
	for _, rt := range s.Routes {
		if rt.Summary != "" {
			add(rt.Pattern, op{"summary": rt.Summary, "responses": op{"default": op{"description": "See docs/api.md."}}})
		}
	}
	for pattern := range s.Pages {
		add(pattern, op{"summary": "A web page.", "tags": []string{"Pages"}, "security": []any{},
			"responses": op{"200": op{"description": "HTML.", "content": op{"text/html": op{"schema": op{"type": "string"}}}}}})
	}
	return op{
		"openapi": "3.1.0",
		"info": op{"title": "checkin", "version": "1",
			"description": "The check-in and access service: a Nexudus-compatible admin API and the public check-in. The reference is docs/api.md."},
		"paths": paths,
		"components": op{"schemas": schemas, "securitySchemes": op{
			"bearer": op{"type": "http", "scheme": "bearer", "description": "An access token from POST /api/token."},
			"basic":  op{"type": "http", "scheme": "basic", "description": "A user's email and password, as Nexudus accepts; throttled like the password grant."},
		}},
		"security": []any{op{"bearer": []string{}}, op{"basic": []string{}}},
	}
}
