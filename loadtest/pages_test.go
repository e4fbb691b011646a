package loadtest

import (
	"context"
	"testing"

	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// checkin-bench pages: every console view answers 200 on a small seed, and
// a second run reuses what the first seeded.
func TestMeasurePages(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			cfg := PagesConfig{DSN: storetest.DSN(t, dialect), Open: 5, Requests: 1,
				Seed: SeedConfig{Location: "bench", Members: 20, Failed: FailedSpec{Records: 600, Days: 30, Locations: 2}}}
			for run := range 2 {
				timings, err := MeasurePages(context.Background(), cfg)
				if err != nil {
					t.Fatalf("run %d: %v", run+1, err)
				}
				if len(timings) != len(consoleViews(0, cfg.Seed.Failed, 0)) {
					t.Fatalf("run %d: %d views measured", run+1, len(timings))
				}
				for _, v := range timings {
					if v.Status != 200 || v.Length == 0 || v.Worst < v.Median {
						t.Errorf("run %d: %+v", run+1, v)
					}
				}
			}
		})
	}
}
