package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/checkin-oss/checkin"
)

// OccupancyReader reads who is checked in; the SQL store is one.
type OccupancyReader interface {
	Occupancy(ctx context.Context, businessID int64) (*checkin.Occupancy, error)
	// CheckedIn returns the open check-ins of every location by WebAddress.
	CheckedIn(ctx context.Context) (map[string]int, error)
}

// occupancy is GET /api/sys/businesses/{id}/occupancy.
func (s *Server) occupancy(_ *Server, w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !checkin.UserFrom(r.Context()).InScope(id) {
		s.writeError(w, r, checkin.Errorf(checkin.ENOTFOUND, "Business %d was not found.", id))
		return
	}
	o, err := s.Occupancy.Occupancy(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// checkedInCollector is the checkin_checked_in{location} gauge, read from
// the database at each scrape, so that every instance reports the same.
type checkedInCollector struct {
	read func(ctx context.Context) (map[string]int, error)
	desc *prometheus.Desc
}

func newCheckedInCollector(read func(ctx context.Context) (map[string]int, error)) *checkedInCollector {
	return &checkedInCollector{read: read, desc: prometheus.NewDesc("checkin_checked_in",
		"Open check-ins of each location, by its WebAddress.", []string{"location"}, nil)}
}

func (c *checkedInCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *checkedInCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.read(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for location, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), location)
	}
}
