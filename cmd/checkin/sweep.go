package main

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/checkin-oss/checkin/sqlstore"
)

// sweepInterval is how often open check-ins are checked against their
// location's daily cut-off. A check-in is closed at the cut-off itself,
// whenever the sweep notices.
const sweepInterval = 30 * time.Second

// sweep runs the store's background work until ctx ends: automatic
// check-outs, and forgetting the throttling keys that have expired.
// Instances sweep at jittered times; the store makes concurrent sweeps safe.
func sweep(ctx context.Context, db *sqlstore.DB, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(sweepInterval/2 + rand.N(sweepInterval)):
		}
		n, err := db.Sweep(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("automatic check-out failed; will retry", "err", err)
		case n > 0:
			log.Info("automatic check-out", "closed", n)
		}
		purged, err := db.PurgeThrottle(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("purging expired throttling keys failed; will retry", "err", err)
		case purged > 0:
			log.Debug("purged expired throttling keys", "keys", purged)
		}
	}
}
