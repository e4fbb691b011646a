package webhook

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the worker's Prometheus metrics.
type Metrics struct {
	// Deliveries counts attempts by result: delivered or failed.
	Deliveries *prometheus.CounterVec
	// Backlog is the number of deliveries and events waiting.
	Backlog prometheus.Gauge
}

// NewMetrics returns the metrics, registered with reg when it is not nil.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "checkin_webhook_deliveries_total",
			Help: "Webhook delivery attempts, by result: delivered (a 2xx within the timeout) or failed.",
		}, []string{"result"}),
		Backlog: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "checkin_webhook_backlog",
			Help: "Events waiting: deliveries not yet made to active webhooks, and events not yet dispatched to webhooks.",
		}),
	}
	for _, r := range []string{"delivered", "failed"} {
		m.Deliveries.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.Deliveries, m.Backlog)
	}
	return m
}
