package webhook_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/webhook"
)

// Both results are exported at 0 before any delivery, so that a rate of
// failures can be graphed from the start.
func TestMetricsStartAtZero(t *testing.T) {
	reg := prometheus.NewRegistry()
	webhook.NewMetrics(reg)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]bool{}
	for _, f := range families {
		if f.GetName() != "checkin_webhook_deliveries_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			results[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue() == 0
		}
	}
	if !results["delivered"] || !results["failed"] {
		t.Errorf("deliveries at start: %v, want delivered and failed at 0", results)
	}
}

func gauge(t *testing.T, g prometheus.Gauge) float64 {
	var m dto.Metric
	if err := g.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}

// The log names a failing webhook and its last error, never its secret
// or the path and query of its URL (which may hold a token).
func TestFailureIsLoggedWithoutSecrets(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		var logs bytes.Buffer
		f.worker.Log = slog.New(slog.NewTextHandler(&logs, nil))
		f.recv.answer = func(int) int { return http.StatusTeapot }
		f.hook(f.recv.URL+"/hook?token=url-token", checkin.EventCheckin, "the-secret")
		f.event(checkin.EventCheckin)
		f.event(checkin.EventCheckin)
		f.step()
		out := logs.String()
		for _, want := range []string{"webhook delivery failed", "hook " + f.recv.URL, "418"} {
			if !strings.Contains(out, want) {
				t.Errorf("log lacks %q:\n%s", want, out)
			}
		}
		for _, secret := range []string{"the-secret", "url-token"} {
			if strings.Contains(out, secret) {
				t.Errorf("log shows %q:\n%s", secret, out)
			}
		}
		if got := gauge(t, f.metrics.Backlog); got != 2 {
			t.Errorf("backlog = %v, want the 2 events waiting", got)
		}
	})
}

// Events are deleted once their retention has passed since their last
// delivery; an event delivered late is kept for the retention after that.
func TestRetention(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.hook(f.recv.URL+"/h", checkin.EventCheckin, "")
		old := f.event(checkin.EventCheckin)
		f.clock.Advance(3 * 24 * time.Hour)
		f.step()                       // delivered 3 days after it happened
		f.event(checkin.EventCheckout) // no webhook: kept for the retention
		f.step()
		f.clock.Advance(5 * 24 * time.Hour)
		if n, err := f.db.ExpireEvents(ctx, 7*24*time.Hour); err != nil || n != 0 {
			t.Fatalf("8 days after, 5 after its delivery: expired %d (%v), want none", n, err)
		}
		f.clock.Advance(3 * 24 * time.Hour)
		n, err := f.db.ExpireEvents(ctx, 7*24*time.Hour)
		if err != nil || n != 2 {
			t.Fatalf("expired %d (%v), want both", n, err)
		}
		if _, kept, _ := f.db.EventSeq(ctx, old); kept {
			t.Errorf("the delivered event is still kept")
		}
	})
}
