package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
	"github.com/checkin-oss/checkin/internal/version"
	"github.com/checkin-oss/checkin/throttle"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the service's Prometheus metrics, in a registry of their own.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// Checkins counts public check-in decisions by method and outcome.
	Checkins *prometheus.CounterVec
	// Throttled counts check-in attempts and password grants answered 429,
	// undecided, by kind of credential and the scope of the key that
	// blocked them.
	Throttled *prometheus.CounterVec
	// PincodeSpraying counts the times many different pincodes failed at a
	// location within a short time.
	PincodeSpraying *prometheus.CounterVec
	checkedIn       sync.Once
	memo            sync.Once

	storageFailures    *prometheus.CounterVec
	storageUnavailable prometheus.Gauge
}

// NewMetrics returns the metrics with the Go runtime's and the process's.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "checkin_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "checkin_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		Checkins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "checkin_decisions_total",
			Help: "Public check-in decisions, by method and result (the error code, or success).",
		}, []string{"method", "result"}),
		Throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "checkin_throttled_total",
			Help: "Public check-in attempts and POST /api/token password grants answered 429 without a decision, by kind of credential and the key that blocked them (address, identity, location).",
		}, []string{"kind", "key"}),
		PincodeSpraying: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "checkin_pincode_spraying_total",
			Help: "Times many different pincodes failed at a location within a short time (Security.PincodeSpraying.*), by location.",
		}, []string{"location"}),
	}
	m.storageFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "checkin_storage_failures_total",
		Help: "Writes the database refused because of its storage, by reason: disk_full, io_error, read_only.",
	}, []string{"reason"})
	m.storageUnavailable = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "checkin_storage_unavailable",
		Help: "1 from a storage failure until a write probe succeeds; 0 otherwise.",
	})
	v := version.Get()
	buildInfo := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "checkin_build_info",
		Help:        "Always 1; its labels name the running build: version, commit and the Go that built it.",
		ConstLabels: prometheus.Labels{"version": v.Version, "commit": v.Commit, "goversion": v.Go},
	}, func() float64 { return 1 })
	m.Registry.MustRegister(m.requests, m.duration, m.Checkins, m.Throttled, m.PincodeSpraying, buildInfo,
		m.storageFailures, m.storageUnavailable,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.startAtZero()
	return m
}

// startAtZero makes the series that alerts watch present at 0 from the
// first scrape, so that rate() and increase() see their first event: a
// series that appears at 1 is read as no change.
func (m *Metrics) startAtZero() {
	m.Checkins.WithLabelValues(string(access.MethodNone), checkin.CodeInvalidRequestData)
	for _, method := range access.Methods {
		for _, result := range access.Results {
			m.Checkins.WithLabelValues(string(method), result)
		}
	}
	for _, kind := range throttle.Kinds {
		for _, scope := range throttle.Scopes {
			m.Throttled.WithLabelValues(string(kind), string(scope))
		}
	}
	for _, reason := range []string{checkin.StorageDiskFull, checkin.StorageIOError, checkin.StorageReadOnly} {
		m.storageFailures.WithLabelValues(reason)
	}
	for _, route := range []string{"POST " + checkinPath, "POST " + tokenPath} {
		for _, code := range []int{200, 400, 429, 500, 503} {
			m.requests.WithLabelValues(route, strconv.Itoa(code))
		}
		m.duration.WithLabelValues(route)
	}
}

// KnowLocation makes a location's pincode spraying series present at 0.
// The binary calls it for each location at start, and the check-in for a
// location where a pincode is refused, before any spraying can be told.
func (m *Metrics) KnowLocation(webAddress string) {
	m.PincodeSpraying.WithLabelValues(webAddress)
}

func (m *Metrics) observe(route string, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(elapsed.Seconds())
}

// watchCheckedIn adds the checkin_checked_in gauge, read with read.
func (m *Metrics) watchCheckedIn(read func(ctx context.Context) (map[string]int, error)) {
	m.checkedIn.Do(func() { m.Registry.MustRegister(newCheckedInCollector(read)) })
}

// WatchMemo adds checkin_memo_decisions_total, read with read: the
// check-in decisions answered from memory alone (sqlstore's memo).
func (m *Metrics) WatchMemo(read func() int64) {
	m.memo.Do(func() {
		m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "checkin_memo_decisions_total",
			Help: "Public check-in decisions answered from memory alone, with no SQL (SQLite's memo; always 0 on PostgreSQL and with memo=off).",
		}, func() float64 { return float64(read()) }))
	})
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}
