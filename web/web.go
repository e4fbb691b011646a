// Package web is the service's pages: the kiosk by the entrance (/kiosk)
// and the operators' console (/console), server-rendered from embedded
// templates, with a few plain JavaScript modules and no resource from any
// other origin (PAGES.md).
package web

import (
	"bytes"
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Store is the database as the pages need it; the SQL store is one.
type Store interface {
	httpapi.Repositories
	Settings(ctx context.Context, businessID int64) (checkin.Settings, error)
	OpenCheckins(ctx context.Context, businessID int64) ([]*checkin.Checkin, error)
	CheckinTimes(ctx context.Context, businessID int64, from, to time.Time) ([]time.Time, error)
	CreateSession(ctx context.Context, email, password string) (string, error)
	UserBySession(ctx context.Context, token string) (*checkin.User, error)
	DeleteSession(ctx context.Context, token string) error
}

// Pages serves the kiosk and the console. Set its fields, then call Routes.
type Pages struct {
	Store Store
	// API is the HTTP API the pages stand beside: it finds a request's
	// location, throttles sign-ins and writes CSV, so that the pages apply
	// the same rules.
	API   *httpapi.Server
	Log   *slog.Logger
	Clock checkin.Clock
	// SearchScan is how many refusals a text search of Failed check-ins
	// reads for one page (default DefaultSearchScan).
	SearchScan int

	pages map[string]*template.Template
}

// Routes returns the pages' handlers by route pattern, for
// httpapi.Server.Pages.
func (p *Pages) Routes() map[string]http.Handler {
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	if p.Clock == nil {
		p.Clock = checkin.SystemClock{}
	}
	p.pages = parseTemplates()
	static, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	routes := map[string]http.Handler{
		"GET /{$}":     http.RedirectHandler("/console", http.StatusSeeOther),
		"GET /static/": pageHeaders(cacheStatic(files)),
		"GET /kiosk":   pageHeaders(http.HandlerFunc(p.kiosk)),
	}
	for pattern, h := range p.consoleRoutes() {
		routes[pattern] = pageHeaders(h)
	}
	return routes
}

// contentSecurityPolicy lets a page load only what this service serves.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// pageHeaders replaces the API's headers (which forbid any content) by a
// page's: its own origin only, never framed, never cached.
func pageHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}

var funcs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
}

// parseTemplates reads each page with the shared layout.
func parseTemplates() map[string]*template.Template {
	names, _ := fs.Glob(templateFiles, "templates/*.html")
	pages := map[string]*template.Template{}
	for _, name := range names {
		base := name[len("templates/") : len(name)-len(".html")]
		if base == "layout" {
			continue
		}
		pages[base] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", name))
	}
	return pages
}

// render writes a page, buffered so that a template error is a 500 and
// never half a page.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var buf bytes.Buffer
	if err := p.pages[page].Execute(&buf, data); err != nil {
		p.Log.Error("page not rendered", "page", page, "err", err)
		http.Error(w, "The page could not be shown because of an internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderPart writes one named template of a page, such as a table's rows.
func (p *Pages) renderPart(w http.ResponseWriter, r *http.Request, page, part string, data any) {
	var buf bytes.Buffer
	if err := p.pages[page].ExecuteTemplate(&buf, part, data); err != nil {
		p.Log.Error("page part not rendered", "page", page, "part", part, "err", err)
		http.Error(w, "The page could not be shown because of an internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// failure shows an error as a page: its message when it is an application
// error, a plain sentence (and the log) otherwise.
func (p *Pages) failure(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status := http.StatusInternalServerError
	switch checkin.ErrorCode(err) {
	case checkin.EINVALID:
		status = http.StatusBadRequest
	case checkin.EUNAUTHORIZED:
		status = http.StatusUnauthorized
	case checkin.EFORBIDDEN:
		status = http.StatusForbidden
	case checkin.ENOTFOUND:
		status = http.StatusNotFound
	case checkin.ECONFLICT:
		status = http.StatusConflict
	case checkin.EUNAVAILABLE:
		status = http.StatusServiceUnavailable
	}
	message := checkin.ErrorMessage(err)
	if status == http.StatusInternalServerError {
		p.Log.Error("page failed", "path", r.URL.Path, "err", err)
	}
	if v == nil {
		v = &view{}
	}
	v.Title = http.StatusText(status)
	v.Message = message
	p.render(w, r, status, "error", v)
}
