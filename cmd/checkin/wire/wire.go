// Package wire builds the service from its parts; it is the one place that
// knows them all. The binary (cmd/checkin) builds its server here, and so
// does the end-to-end test harness (httpapi/apitest), so that the tests run
// what the binary runs.
package wire

import (
	"log/slog"

	"github.com/checkin-oss/checkin/access"
	"github.com/checkin-oss/checkin/doors"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/throttle"
	"github.com/checkin-oss/checkin/web"
)

// Server returns the whole service over db: the public check-in, decided
// by the engine and throttled; OAuth2 tokens; the admin API of every
// entity; the event stream, which ends when stop is closed; the kiosk and
// the console; and the doors' routes. The caller sets the addresses and
// networks of its configuration, then calls Handler.
func Server(db *sqlstore.DB, log *slog.Logger, stop <-chan struct{}) *httpapi.Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	limiter := &throttle.Limiter{Store: db}
	s := &httpapi.Server{
		Log:        log,
		Auth:       db,
		Ready:      db.WriteProbe,
		Resources:  httpapi.AdminResources(db),
		CheckIn:    &access.Service{Store: db, Throttle: limiter},
		Throttle:   limiter,
		Locations:  db,
		Events:     &httpapi.EventStream{Events: db, Stop: stop},
		Occupancy:  db,
		Metrics:    httpapi.NewMetrics(),
		BaseDomain: "localhost",
	}
	s.Metrics.WatchMemo(db.MemoDecisions)
	pages := &web.Pages{Store: db, API: s, Log: log, Clock: db.Clock}
	s.Pages = pages.Routes()
	doors.Mount(s, db, db.Clock)
	return s
}
