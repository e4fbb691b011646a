package webhook_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
)

// Two instances on one database (two stores, each with its worker, on
// PostgreSQL; two workers on one store on SQLite) deliver each event once,
// in order per webhook, while events keep arriving.
func TestTwoInstancesDeliverEachEventOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		const events = 150
		paths := []string{"/a", "/b", "/c"}
		for _, p := range paths {
			f.hook(f.recv.URL+p, checkin.EventCheckin, "k")
		}
		second := f.db
		if f.db.IsSQLite() == false {
			second = f.open()
		}
		f.recv.delay = time.Millisecond // widens the window in which both could hold a webhook
		var want []string
		for range events / 2 {
			want = append(want, f.event(checkin.EventCheckin))
		}
		workers := []interface{ Run(context.Context) }{f.worker, f.newWorker(second, time.Second)}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Add(1)
			go func() { defer wg.Done(); w.Run(ctx) }()
		}
		for range events - events/2 {
			want = append(want, f.event(checkin.EventCheckin))
		}
		deadline := time.Now().Add(30 * time.Second)
		for len(f.recv.deliveries()) < events*len(paths) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond) // room for a duplicate to show
		cancel()
		wg.Wait()
		for _, p := range paths {
			if got := f.recv.ids(p); !slices.Equal(got, want) {
				t.Errorf("%s: %d deliveries, want each of %d events once, in order%s", p, len(got), events, firstDiff(got, want))
			}
		}
	})
}

func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf(" (first difference at %d)", i)
		}
	}
	return ""
}
