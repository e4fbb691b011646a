package loadtest

import (
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
)

// TestCountOn compares CountOn with counting the records one by one.
func TestCountOn(t *testing.T) {
	tests := []FailedSpec{
		{Records: 1_000, Days: 30, Locations: 4},
		{Records: 997, Days: 7, Locations: 3},
		{Records: 10, Days: 30, Locations: 1},
		{Records: 100_000, Days: 30, Locations: 4},
		{Records: 5, Days: 1, Locations: 7},
	}
	for _, spec := range tests {
		spec.locations = make([]*checkin.Business, spec.Locations)
		for i := range spec.locations {
			spec.locations[i] = &checkin.Business{Name: "L", TimeZone: "UTC", Record: checkin.Record{ID: int64(i + 1)}}
		}
		want := map[[2]int64]int{} // (location id, day) → records
		var f checkin.FailedCheckin
		for k := range spec.Records {
			spec.fill(k, &f)
			day := f.CheckinAttemptTime.Truncate(24 * time.Hour)
			want[[2]int64{f.BusinessID, day.Unix()}]++
		}
		days := []time.Time{spec.ListDay(), spec.start(), spec.start().AddDate(0, 0, -1), FailedEnd.AddDate(0, 0, -1), FailedEnd}
		for loc := range spec.Locations {
			for _, day := range days {
				w := want[[2]int64{int64(loc + 1), day.Unix()}]
				if got := spec.CountOn(loc, day); got != w {
					t.Errorf("%+v: CountOn(%d, %s) = %d, want %d", spec, loc, day.Format(time.DateOnly), got, w)
				}
			}
		}
	}
}

func TestFailedRecordsStayInTheirWindow(t *testing.T) {
	spec := FailedSpec{Records: 1_000_000, Days: 30, Locations: 4,
		locations: []*checkin.Business{{TimeZone: "UTC"}, {TimeZone: "UTC"}, {TimeZone: "UTC"}, {TimeZone: "UTC"}}}
	var first, last checkin.FailedCheckin
	spec.fill(0, &first)
	spec.fill(spec.Records-1, &last)
	if !first.CheckinAttemptTime.Equal(spec.start()) || !last.CheckinAttemptTime.Before(FailedEnd) || last.CheckinAttemptTime.Before(FailedEnd.Add(-time.Minute)) {
		t.Errorf("records run from %v to %v, want from %v to just before %v", first.CheckinAttemptTime, last.CheckinAttemptTime, spec.start(), FailedEnd)
	}
	if got := spec.CountOn(0, spec.ListDay()); got < 8_000 || got > 8_700 {
		t.Errorf("one location's day holds %d records, want about 1 000 000 / 30 / 4", got)
	}
}
