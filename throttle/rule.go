// Package throttle slows down the guessing of check-in credentials. Every
// failed check-in counts against a few keys (the client's address, the
// claimed identity, the location), each per kind of credential; a key with
// more failures in its window than its free allowance makes the next
// attempt wait, the wait doubling with each further failure up to a cap.
// The rules here are pure functions of the stored state, so that a
// policy change applies at once and every instance agrees; the state lives
// in the database (checkin.ThrottleStore). docs/checkin.md ("Throttling")
// gives the rules and the arithmetic of the defaults.
package throttle

import (
	"time"

	"github.com/checkin-oss/checkin"
)

// BaseDelay is the first delay, after the first failure beyond the free
// allowance; each further failure doubles it, up to the limit's MaxDelay.
const BaseDelay = time.Second

// Delay is how long a key must rest after the n-th failure of its window.
func Delay(l checkin.ThrottleLimit, n int) time.Duration {
	excess := n - l.Failures
	switch {
	case excess <= 0:
		return 0
	case excess > 40 || BaseDelay<<(excess-1) > l.MaxDelay:
		return l.MaxDelay
	}
	return BaseDelay << (excess - 1)
}

// BlockedUntil is when a key in state s may be tried again; the zero time
// when it is not blocked. A block outlives the window it began in: the
// next failure after the window starts a new one.
func BlockedUntil(l checkin.ThrottleLimit, s checkin.ThrottleState) time.Time {
	d := Delay(l, s.Failures)
	if d == 0 {
		return time.Time{}
	}
	return s.LastFailure.Add(d)
}

// keep is how long the store must remember a key after its last failure:
// until its window has surely ended and its delay surely passed.
func keep(l checkin.ThrottleLimit) time.Duration { return max(l.Window, l.MaxDelay) }

// Fail returns the state after a failure at now. The store counts
// failures with FailSQL, the same rule in SQL, so that instances count
// together.
func Fail(l checkin.ThrottleLimit, s checkin.ThrottleState, now time.Time) checkin.ThrottleState {
	if s.Failures == 0 || !s.WindowStart.After(now.Add(-l.Window)) {
		return checkin.ThrottleState{Failures: 1, WindowStart: now, LastFailure: now}
	}
	s.Failures++
	s.LastFailure = now
	return s
}

// FailSQL is Fail as the assignments of an upsert (INSERT ... ON CONFLICT
// DO UPDATE SET FailSQL) of a table with the columns failures,
// window_start, last_failure and expires_at, times in microseconds. The
// row inserted (excluded) holds n failures at now, to be kept until
// expires_at; table names the stored row. Its two placeholders are now
// less the window (the rule's "the window has ended"). n failures at once
// count as n calls of Fail at the same time would.
func FailSQL(table string) string {
	ended := table + ".window_start <= ?" // a row's failures are never 0
	return "failures = CASE WHEN " + ended + " THEN excluded.failures ELSE " + table + ".failures + excluded.failures END,\n" +
		"window_start = CASE WHEN " + ended + " THEN excluded.window_start ELSE " + table + ".window_start END,\n" +
		"last_failure = excluded.last_failure,\n" +
		"expires_at = CASE WHEN excluded.expires_at > " + table + ".expires_at THEN excluded.expires_at ELSE " + table + ".expires_at END"
}
