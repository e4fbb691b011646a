package checkin

import (
	"context"
	"time"
)

// ThrottleState is what the store keeps of one throttling key: the failures
// counted in the key's current window, when that window began, and when the
// last failure was counted.
type ThrottleState struct {
	Failures    int
	WindowStart time.Time
	LastFailure time.Time
}

// ThrottleFailure counts one failure against a key, at the decision's
// time: a key whose window began Window ago or earlier starts a new window
// with this failure. The store may forget the key once Keep has passed
// since its last failure.
type ThrottleFailure struct {
	Key    string
	Window time.Duration
	Keep   time.Duration
}

// ThrottleView is what the check before a check-in reads: the store's time,
// the location's settings and the states of the keys that have any.
type ThrottleView struct {
	Now      time.Time
	Settings Settings
	States   map[string]ThrottleState
}

// ThrottleStore keeps the throttling state where every instance sees it.
// A check-in counts its failures as an effect of its decision
// (CountFailures), stored with its FailedCheckin; a refused password grant
// at POST /api/token with AddThrottleFailures.
type ThrottleStore interface {
	// ThrottleView reads the settings of a location and the states of keys,
	// in one read. A businessID that is no location's (throttle.NoLocation)
	// reads the default settings.
	ThrottleView(ctx context.Context, businessID int64, keys []string) (ThrottleView, error)
	// AddThrottleFailures counts a failure against each key, outside any
	// check-in decision, in a transaction of its own: one upsert per key.
	AddThrottleFailures(ctx context.Context, fails []ThrottleFailure) error
	// CountThrottleKeys counts the keys from first (inclusive) to last
	// (exclusive) whose last failure is at or after since.
	CountThrottleKeys(ctx context.Context, first, last string, since time.Time) (int, error)
	// PurgeThrottle forgets the keys that have expired and returns how many.
	PurgeThrottle(ctx context.Context) (int, error)
}
