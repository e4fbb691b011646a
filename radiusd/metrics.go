package radiusd

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the RADIUS server's Prometheus metrics.
type Metrics struct {
	Requests    *prometheus.CounterVec
	Dropped     *prometheus.CounterVec
	Disconnects *prometheus.CounterVec
	Duration    *prometheus.HistogramVec
}

// NewMetrics makes the metrics and registers them with reg when it is set.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "checkin_radius_requests_total",
			Help: "RADIUS packets received, by kind (access, accounting, status) and result (accept, reject, response, dropped).",
		}, []string{"kind", "result"}),
		Dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "checkin_radius_dropped_total",
			Help: "RADIUS packets dropped without an answer, by reason (unknown_client, malformed, bad_authenticator, bad_message_authenticator, missing_message_authenticator, unexpected_code, error).",
		}, []string{"reason"}),
		Disconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "checkin_radius_disconnects_total",
			Help: "Disconnect-Requests sent, by result (ack, nak, timeout).",
		}, []string{"result"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "checkin_radius_request_duration_seconds",
			Help:    "Time to answer RADIUS requests, by kind.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"kind"}),
	}
	// Every series at 0 from the start, so that rate() sees the first event.
	for kind, results := range map[string][]string{"access": {"accept", "reject", "dropped"},
		"accounting": {"response", "dropped"}, "status": {"accept", "dropped"}, "unknown": {"dropped"}} {
		for _, r := range results {
			m.Requests.WithLabelValues(kind, r)
		}
	}
	for _, r := range dropReasons {
		m.Dropped.WithLabelValues(r)
	}
	for _, r := range []string{"ack", "nak", "timeout"} {
		m.Disconnects.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.Requests, m.Dropped, m.Disconnects, m.Duration)
	}
	return m
}

// dropReasons are the reasons a packet is dropped without an answer.
var dropReasons = []string{"unknown_client", "malformed", "bad_authenticator", "bad_message_authenticator",
	"missing_message_authenticator", "unexpected_code", "error"}
