package doors

import (
	"context"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/prometheus/client_golang/prometheus"
)

// UnseenAfter is how long a door may stay silent before it counts as unseen.
const UnseenAfter = 5 * time.Minute

// Mount serves the door routes on s and adds their metric to its metrics.
func Mount(s *httpapi.Server, store checkin.DoorStore, clock checkin.Clock) *Handler {
	h := &Handler{Store: store, Server: s, Clock: clock}
	s.Routes = append(s.Routes, h.Routes()...)
	if s.Metrics == nil {
		s.Metrics = httpapi.NewMetrics()
	}
	s.Metrics.Registry.MustRegister(&unseen{h: h, desc: prometheus.NewDesc("checkin_doors_unseen",
		"Active doors of a location not seen for 5 minutes.", []string{"location"}, nil)})
	return h
}

// unseen is the checkin_doors_unseen gauge, read from the database at
// each scrape.
type unseen struct {
	h    *Handler
	desc *prometheus.Desc
}

func (u *unseen) Describe(ch chan<- *prometheus.Desc) { ch <- u.desc }

func (u *unseen) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := u.h.Store.UnseenDoors(ctx, u.h.Clock.Now().Add(-UnseenAfter))
	if err != nil {
		u.h.Server.Log.Warn("checkin_doors_unseen: the doors could not be read", "err", err)
		return
	}
	for loc, n := range counts {
		ch <- prometheus.MustNewConstMetric(u.desc, prometheus.GaugeValue, float64(n), loc)
	}
}
