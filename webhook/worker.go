package webhook

import (
	"context"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/checkin-oss/checkin"
)

// MaxFailures is how many consecutive failed deliveries switch a webhook off.
const MaxFailures = 20

// retrySchedule is the wait after the 1st, 2nd, ... consecutive failure;
// after the last, every retryEvery. Twenty failures take about 91 hours.
var retrySchedule = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour}

const retryEvery = 6 * time.Hour

// Backoff is the wait before the next attempt after the webhook's n-th
// consecutive failure.
func Backoff(n int64) time.Duration {
	if n >= 1 && n <= int64(len(retrySchedule)) {
		return retrySchedule[n-1]
	}
	return retryEvery
}

// Decide turns the outcome of one attempt at d into what the store
// records: a failure waits its backoff, and switches the webhook off at
// the MaxFailures-th in a row or at once on 410 Gone.
func Decide(d *checkin.Delivery, failure string, gone bool, now time.Time) checkin.DeliveryResult {
	if failure == "" {
		return checkin.DeliveryResult{Delivered: true}
	}
	n := d.ErrorCount + 1
	return checkin.DeliveryResult{Error: failure, RetryAt: now.Add(Backoff(n)), Disable: gone || n >= MaxFailures}
}

// Worker delivers the store's deliveries: each webhook's in event order,
// one at a time, a few webhooks at once, so that a slow or failing
// receiver holds up only its own webhook. Set its fields, then call Run.
type Worker struct {
	Store   checkin.DeliveryStore
	Client  *Client
	Clock   checkin.Clock
	Log     *slog.Logger
	Metrics *Metrics
	// Poll is how often the store is asked for work (default 500 ms).
	Poll time.Duration
	// Parallel is how many webhooks are delivered to at once (default 8).
	Parallel int
	// Retention is how long events are kept after their last delivery
	// (--event-retention, default 7 days).
	Retention time.Duration

	mu     sync.Mutex
	busy   int
	wg     sync.WaitGroup
	lastGC time.Time
	// quietUntil is, for each step, when a storage failure is next logged.
	quietUntil map[string]time.Time
}

const (
	dispatchBatch = 500
	// perClaim is how many deliveries a worker makes to one webhook
	// before it gives the webhook back for others to claim.
	perClaim = 200
)

// lease is how long a claim holds a webhook: longer than any attempt,
// since each attempt renews it, and short, since after a crash the
// webhook waits for it to end.
func (w *Worker) lease() time.Duration { return w.Client.http.Timeout + 10*time.Second }

func (w *Worker) defaults() {
	if w.Clock == nil {
		w.Clock = checkin.SystemClock{}
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	if w.Metrics == nil {
		w.Metrics = NewMetrics(nil)
	}
	if w.Poll <= 0 {
		w.Poll = 500 * time.Millisecond
	}
	if w.Parallel <= 0 {
		w.Parallel = 8
	}
	if w.Retention <= 0 {
		w.Retention = 7 * 24 * time.Hour
	}
}

// Run delivers until ctx ends, then lets the attempts in flight finish
// (each within the client's timeout) and returns.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	tick := time.NewTicker(w.Poll)
	defer tick.Stop()
	backlogEvery := time.NewTicker(5 * time.Second)
	defer backlogEvery.Stop()
	w.updateBacklog(ctx)
	for {
		w.start(ctx)
		select {
		case <-ctx.Done():
			w.wg.Wait()
			return
		case <-backlogEvery.C:
			w.updateBacklog(ctx)
			w.expire(ctx)
		case <-tick.C:
		}
	}
}

// Step dispatches the waiting events, delivers to every webhook that is
// due and waits for those deliveries: for tests, with a manual clock.
func (w *Worker) Step(ctx context.Context) {
	w.defaults()
	w.start(ctx)
	w.wg.Wait()
	w.updateBacklog(ctx)
}

// start dispatches what waits and claims as many due webhooks as there
// are free places, delivering to each in a goroutine of its own.
func (w *Worker) start(ctx context.Context) {
	for {
		n, err := w.Store.DispatchEvents(ctx, dispatchBatch)
		if err != nil {
			w.storeError(ctx, "dispatch events", err)
			return
		}
		if n < dispatchBatch {
			break
		}
	}
	w.mu.Lock()
	free := w.Parallel - w.busy
	w.mu.Unlock()
	if free <= 0 {
		return
	}
	claimed, err := w.Store.ClaimDeliveries(ctx, w.lease(), free)
	if err != nil {
		w.storeError(ctx, "claim deliveries", err)
		return
	}
	for _, d := range claimed {
		w.mu.Lock()
		w.busy++
		w.mu.Unlock()
		w.wg.Add(1)
		go func() {
			defer func() {
				w.mu.Lock()
				w.busy--
				w.mu.Unlock()
				w.wg.Done()
			}()
			w.deliverAll(ctx, d)
		}()
	}
}

// deliverAll delivers d, then the webhook's next deliveries while they
// succeed, up to perClaim of them or until ctx ends.
func (w *Worker) deliverAll(ctx context.Context, d *checkin.Delivery) {
	finishing := context.WithoutCancel(ctx) // an attempt made is recorded, even while stopping
	for n := 0; d != nil; n++ {
		if n >= perClaim || ctx.Err() != nil {
			if err := w.Store.ReleaseDelivery(finishing, d); err != nil {
				w.storeError(ctx, "release a webhook", err)
			}
			return
		}
		now := w.Clock.Now()
		failure, gone := w.Client.Send(finishing, d, now)
		result := Decide(d, failure, gone, now)
		w.count(d, result)
		next, err := w.Store.FinishDelivery(finishing, d, result, w.lease())
		if err != nil {
			w.storeError(ctx, "record a delivery", err)
			return
		}
		d = next
	}
}

func (w *Worker) count(d *checkin.Delivery, r checkin.DeliveryResult) {
	if r.Delivered {
		w.Metrics.Deliveries.WithLabelValues("delivered").Inc()
		return
	}
	w.Metrics.Deliveries.WithLabelValues("failed").Inc()
	attrs := []any{"webhook", d.WebhookID, "name", d.WebhookName, "host", hostOf(d.WebhookURL), "event", d.Event.ID,
		"error", r.Error, "consecutive_failures", d.ErrorCount + 1}
	if r.Disable {
		w.Log.Warn("webhook switched off after a failed delivery", attrs...)
		return
	}
	w.Log.Warn("webhook delivery failed", append(attrs, "retry_at", r.RetryAt)...)
}

// hostOf is the host of a webhook's URL: its path and query may hold a
// token, and are not logged.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

func (w *Worker) updateBacklog(ctx context.Context) {
	n, err := w.Store.DeliveryBacklog(ctx)
	if err != nil {
		w.storeError(ctx, "count the backlog", err)
		return
	}
	w.Metrics.Backlog.Set(float64(n))
}

// expire deletes the events past their retention, every ten minutes.
func (w *Worker) expire(ctx context.Context) {
	now := w.Clock.Now()
	if now.Sub(w.lastGC) < 10*time.Minute {
		return
	}
	w.lastGC = now
	for range 100 {
		n, err := w.Store.ExpireEvents(ctx, w.Retention)
		if err != nil {
			w.storeError(ctx, "expire events", err)
			return
		}
		if n == 0 {
			return
		}
	}
}

// storeError logs a failure of the store. While the database cannot store
// changes (a full disk), the worker would log it at every poll: such a
// failure is logged once a minute for each step.
func (w *Worker) storeError(ctx context.Context, what string, err error) {
	if ctx.Err() != nil {
		return
	}
	if checkin.StorageFailure(err) != nil {
		now := w.Clock.Now()
		w.mu.Lock()
		quiet := now.Before(w.quietUntil[what])
		if !quiet {
			if w.quietUntil == nil {
				w.quietUntil = map[string]time.Time{}
			}
			w.quietUntil[what] = now.Add(time.Minute)
		}
		w.mu.Unlock()
		if quiet {
			return
		}
	}
	w.Log.Error("webhooks: "+what, "err", err)
}
