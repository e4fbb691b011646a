package throttle

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/internal/turn"
)

// Limiter throttles check-in attempts, and password grants at
// POST /api/token, against the state in its store.
type Limiter struct {
	Store checkin.ThrottleStore

	// gate lets one attempt per untrusted address through at a time: a
	// burst is then checked attempt after attempt, each seeing the
	// failures of those before it.
	gate    turn.Gate
	mu      sync.Mutex
	sprayed map[int64]time.Time // when spraying was last reported, by location
}

// Verdict is the check of an attempt, made before it is decided.
type Verdict struct {
	Now     time.Time
	Blocked bool
	// RetryAfter is how long until every key of a blocked attempt is free.
	RetryAfter time.Duration
	Scope      Scope // the scope of the key that blocks longest
	Kind       Kind
	// Failures are what the attempt counts if it is refused.
	Failures []checkin.ThrottleFailure
	// Spray is set for pincode attempts: how a refusal looks for spraying.
	Spray *Spray
}

// RetrySeconds is how long a blocked attempt must wait, in whole seconds
// rounded up: the Retry-After of a 429.
func (v *Verdict) RetrySeconds() int64 {
	return int64((v.RetryAfter + time.Second - 1) / time.Second)
}

// Message tells a blocked client how long to wait, in the words every
// door uses (the JSON API, the sign-in form, RADIUS's Reply-Message).
func (v *Verdict) Message() string {
	seconds := v.RetrySeconds()
	unit := " seconds."
	if seconds == 1 {
		unit = " second."
	}
	return "Too many failed attempts; try again in " + strconv.FormatInt(seconds, 10) + unit
}

// Spray is how spraying is told at a location: Threshold different
// pincodes failing within Window.
type Spray struct {
	Location    int64
	First, Last string // the range of the location's pincode keys
	Window      time.Duration
	Threshold   int
}

// Check tells whether an attempt may be decided. Attempts from one
// untrusted address are checked, decided and counted one at a time on this
// instance: done ends the attempt's turn, once its failure (if any) is
// counted, and must be called whatever the verdict. Check reads the state
// once and writes nothing.
func (l *Limiter) Check(ctx context.Context, a Attempt) (v Verdict, done func(), err error) {
	keys := a.keys()
	done = func() {}
	v.Kind = a.Kind
	if len(keys) > 0 && keys[0].scope == Address {
		t, err := l.gate.Enter(ctx, keys[0].name)
		if err != nil {
			return Verdict{Blocked: true, RetryAfter: time.Second, Scope: Address, Kind: a.Kind}, done, nil
		}
		done = func() { t.Leave(false) }
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		if k.checked {
			names = append(names, k.name)
		}
	}
	view, err := l.Store.ThrottleView(ctx, a.Location, names)
	if err != nil {
		done()
		return Verdict{}, func() {}, err
	}
	v.Now = view.Now
	s := view.Settings
	for _, k := range keys {
		limit := limitOf(s, k.scope)
		keepFor := keep(limit)
		if k.name[0] == 'p' {
			keepFor = max(keepFor, s.PincodeSprayWindow)
		}
		v.Failures = append(v.Failures, checkin.ThrottleFailure{Key: k.name, Window: limit.Window, Keep: keepFor})
		state, ok := view.States[k.name]
		if !ok || !k.checked {
			continue
		}
		if wait := BlockedUntil(limit, state).Sub(v.Now); wait > v.RetryAfter {
			v.Blocked, v.RetryAfter, v.Scope = true, wait, k.scope
		}
	}
	if a.Kind == Pincode && a.Pincode != "" {
		first, last := SprayRange(a.Location)
		v.Spray = &Spray{Location: a.Location, First: first, Last: last, Window: s.PincodeSprayWindow, Threshold: s.PincodeSprayCount}
	}
	return v, done, nil
}

// CountFailure counts a failure against each key of an attempt decided
// outside a check-in (a refused password grant at POST /api/token), one
// upsert per key; a check-in counts its own in its decision.
func (l *Limiter) CountFailure(ctx context.Context, v Verdict) error {
	return l.Store.AddThrottleFailures(ctx, v.Failures)
}

func limitOf(s checkin.Settings, scope Scope) checkin.ThrottleLimit {
	switch scope {
	case Address:
		return s.ThrottleAddress
	case Location:
		return s.ThrottleLocation
	}
	return s.ThrottleIdentity
}

// Sprayed is called after a refused pincode: it counts the different
// pincodes that failed at the location within the spray window, and
// returns that number if it reaches the threshold and this instance has not
// reported spraying there within the window; else 0. A failed count is 0:
// it only feeds a report.
func (l *Limiter) Sprayed(ctx context.Context, sp *Spray, now time.Time) int {
	if sp == nil {
		return 0
	}
	n, err := l.Store.CountThrottleKeys(ctx, sp.First, sp.Last, now.Add(-sp.Window))
	if err != nil || !l.Spraying(sp, n, now) {
		return 0
	}
	return n
}

// Spraying reports whether distinct different pincodes failed at the
// spray's location is spraying, and not yet reported on this instance
// within the spray window (it then notes it as reported).
func (l *Limiter) Spraying(sp *Spray, distinct int, now time.Time) bool {
	if sp == nil || distinct < sp.Threshold {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if last, ok := l.sprayed[sp.Location]; ok && now.Sub(last) < sp.Window {
		return false
	}
	if l.sprayed == nil {
		l.sprayed = map[int64]time.Time{}
	}
	l.sprayed[sp.Location] = now
	return true
}
