package throttle

import (
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
)

func TestDelay(t *testing.T) {
	l := checkin.ThrottleLimit{Failures: 10, Window: 24 * time.Hour, MaxDelay: time.Hour}
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {1, 0}, {10, 0},
		{11, time.Second}, {12, 2 * time.Second}, {13, 4 * time.Second},
		{22, 2048 * time.Second}, {23, time.Hour}, {24, time.Hour}, {1000, time.Hour},
	} {
		if got := Delay(l, tc.failures); got != tc.want {
			t.Errorf("Delay after %d failures = %v, want %v", tc.failures, got, tc.want)
		}
	}
	if got := Delay(checkin.ThrottleLimit{Failures: 0, MaxDelay: time.Minute}, 1); got != time.Second {
		t.Errorf("no free failures: the first delays %v, want 1s", got)
	}
}

func TestFailAndBlockedUntil(t *testing.T) {
	l := checkin.ThrottleLimit{Failures: 2, Window: time.Hour, MaxDelay: 10 * time.Second}
	t0 := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	var s checkin.ThrottleState
	for _, step := range []struct {
		at           time.Duration
		wantFailures int
		wantWindow   time.Duration // since t0
		wantBlocked  time.Duration // until, since t0; -1 when not blocked
	}{
		{0, 1, 0, -1},
		{time.Minute, 2, 0, -1},
		{2 * time.Minute, 3, 0, 2*time.Minute + time.Second},
		{3 * time.Minute, 4, 0, 3*time.Minute + 2*time.Second},
		{59 * time.Minute, 5, 0, 59*time.Minute + 4*time.Second},
		{time.Hour, 1, time.Hour, -1}, // the window has ended: a new one begins
		{time.Hour + time.Second, 2, time.Hour, -1},
	} {
		s = Fail(l, s, at(step.at))
		if s.Failures != step.wantFailures || !s.WindowStart.Equal(at(step.wantWindow)) || !s.LastFailure.Equal(at(step.at)) {
			t.Fatalf("after a failure at +%v: %+v, want %d failures in the window from +%v", step.at, s, step.wantFailures, step.wantWindow)
		}
		got, want := BlockedUntil(l, s), time.Time{}
		if step.wantBlocked >= 0 {
			want = at(step.wantBlocked)
		}
		if !got.Equal(want) {
			t.Errorf("after a failure at +%v: blocked until %v, want %v", step.at, got, want)
		}
	}
}

// attack returns the times at which an attacker who tries again the moment
// a key lets it makes n attempts, every one failing.
func attack(l checkin.ThrottleLimit, n int, start time.Time) []time.Time {
	var s checkin.ThrottleState
	now := start
	times := make([]time.Time, 0, n)
	for range n {
		if until := BlockedUntil(l, s); until.After(now) {
			now = until
		}
		s = Fail(l, s, now)
		times = append(times, now)
	}
	return times
}

// maxWithin is the most attempts of times (in order) within any span d.
func maxWithin(times []time.Time, d time.Duration) int {
	most, first := 0, 0
	for i, t := range times {
		for !times[first].After(t.Add(-d)) {
			first++
		}
		most = max(most, i-first+1)
	}
	return most
}

// TestDefaultsArithmetic: the default limits keep the promises of
// docs/checkin.md and SECURITY.md. From one address, 10 000 pincodes take
// more than 30 days; one identity sees at most 100 failures in any hour
// (OWASP ASVS 2.2.1).
func TestDefaultsArithmetic(t *testing.T) {
	s := checkin.DefaultSettings()
	start := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)

	perWindow := maxWithin(attack(s.ThrottleAddress, 1000, start), s.ThrottleAddress.Window)
	times := attack(s.ThrottleAddress, 10000, start)
	took := times[len(times)-1].Sub(start)
	t.Logf("address: %d attempts a day at most; 10 000 pincodes take %.0f days", perWindow, took.Hours()/24)
	if took <= 30*24*time.Hour {
		t.Errorf("10 000 pincodes from one address take %v, want more than 30 days", took)
	}
	// Whatever the attacker's timing, each window (at least a day) allows
	// perWindow attempts; 10 000 need more than 30 of them.
	if windows := (10000 + perWindow - 1) / perWindow; windows <= 30 {
		t.Errorf("%d attempts per window of %v: 10 000 take only %d windows", perWindow, s.ThrottleAddress.Window, windows)
	}

	identity := attack(s.ThrottleIdentity, 2000, start)
	inWindow := maxWithin(identity[:100], s.ThrottleIdentity.Window)
	inHour := maxWithin(identity, time.Hour)
	t.Logf("identity: %d failures in one window, %d in the busiest hour", inWindow, inHour)
	// Any hour overlaps at most two windows: 2 × inWindow bounds it whatever
	// the timing.
	if inHour > 100 || 2*inWindow > 100 {
		t.Errorf("one identity sees %d failures in an hour (%d per window), want at most 100", inHour, inWindow)
	}
}
