package loadtest

import (
	"time"

	"github.com/checkin-oss/checkin"
)

// FailedEnd is where the seeded failed check-ins end: a fixed day, so that a
// database seeded once gives the same figures on any later day.
var FailedEnd = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// FailedSpec describes the failed check-ins to seed for the list benchmark:
// Records of them, evenly spaced over the Days before FailedEnd and dealt
// to Locations locations in turn (record k to location k % Locations).
type FailedSpec struct {
	Records   int
	Days      int
	Locations int

	locations []*checkin.Business // set by Seed
}

func (s FailedSpec) start() time.Time { return FailedEnd.AddDate(0, 0, -s.Days) }

// step is the time between two records.
func (s FailedSpec) step() time.Duration {
	return time.Duration(s.Days) * 24 * time.Hour / time.Duration(s.Records)
}

// ListDay is the day the list benchmark asks for: the middle one.
func (s FailedSpec) ListDay() time.Time { return s.start().AddDate(0, 0, s.Days/2) }

// fill describes record k: a refused card at a door.
func (s FailedSpec) fill(k int, f *checkin.FailedCheckin) {
	loc := s.locations[k%len(s.locations)]
	at := s.start().Add(time.Duration(k) * s.step())
	f.BusinessID, f.BusinessName = loc.ID, &loc.Name
	f.CheckinAttemptTime = checkin.NewTime(at)
	f.CheckinAttemptTimeLocal = checkin.LocalTimePtr(at, loc.Location())
	f.Source = checkin.SourceDoorAccess
	f.Description = checkin.StringPtr("Card " + spell(appendUnknownCard, k) + " is not registered to any member.")
}

// CountOn returns how many records of location loc (0 for the first) fall
// on the UTC day that starts at day: what the list must report as TotalItems.
func (s FailedSpec) CountOn(loc int, day time.Time) int {
	if s.Records <= 0 || s.Locations <= 0 {
		return 0
	}
	first := s.firstAtOrAfter(day)
	end := s.firstAtOrAfter(day.Add(24 * time.Hour))
	// records k in [0, x) with k % Locations == loc
	upTo := func(x int) int {
		n := x / s.Locations
		if x%s.Locations > loc {
			n++
		}
		return n
	}
	return upTo(end) - upTo(first)
}

// firstAtOrAfter returns the first record index whose time is at or after t,
// clamped to [0, Records].
func (s FailedSpec) firstAtOrAfter(t time.Time) int {
	offset := t.Sub(s.start())
	if offset <= 0 {
		return 0
	}
	step := s.step()
	k := int((offset + step - 1) / step) // ceil
	return min(k, s.Records)
}
