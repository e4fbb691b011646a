package loadtest

import (
	"context"
	"fmt"
	"net/http"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// decisionCounts reads from a server's /metrics its check-in decisions so
// far, and how many of them were answered from memory alone.
func decisionCounts(ctx context.Context, addr string) (decided, fromMemory float64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return 0, 0, fmt.Errorf("GET /metrics: %w", err)
	}
	sum := func(name string) float64 {
		var n float64
		if f := families[name]; f != nil {
			for _, m := range f.GetMetric() {
				n += m.GetCounter().GetValue()
			}
		}
		return n
	}
	return sum("checkin_decisions_total"), sum("checkin_memo_decisions_total"), nil
}

// memoNote says what share of a phase's decisions, warm-up included, one
// server answered from memory alone; "" when it answered none (PostgreSQL,
// memo=off) or the counts could not be read.
func memoNote(ctx context.Context, label, phase, addr string, decided, fromMemory float64) string {
	d, m, err := decisionCounts(ctx, addr)
	if err != nil || m == fromMemory || d <= decided {
		return ""
	}
	d, m = d-decided, m-fromMemory
	return fmt.Sprintf("%s %s: %.0f of %.0f decisions answered from memory alone (%.0f %%), warm-up included", label, phase, m, d, 100*m/d)
}
