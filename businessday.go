package checkin

import "time"

// A business day starts at the location's daily cut-off: with a cut-off of
// 01:30, Tuesday's business day runs from Tuesday 01:30 to Wednesday 01:30,
// local time. Sessions end, open check-ins close and plan limits count days
// by these boundaries.

// cutOffOn returns the cut-off moment on the local date (y, m, d).
func cutOffOn(y int, m time.Month, d int, loc *time.Location, cutoff int) time.Time {
	return time.Date(y, m, d, 0, cutoff, 0, 0, loc)
}

// BusinessDay returns the local date (at midnight UTC) of the business day
// that contains t, and the cut-off that ends it.
func BusinessDay(t time.Time, loc *time.Location, cutoff int) (day time.Time, ends time.Time) {
	l := t.In(loc)
	start := cutOffOn(l.Year(), l.Month(), l.Day(), loc, cutoff)
	if t.Before(start) {
		prev := l.AddDate(0, 0, -1)
		return time.Date(prev.Year(), prev.Month(), prev.Day(), 0, 0, 0, 0, time.UTC), start.UTC()
	}
	next := cutOffOn(l.Year(), l.Month(), l.Day()+1, loc, cutoff)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC), next.UTC()
}

// DayEnd returns the cut-off that ends the business day on date day.
func DayEnd(day time.Time, loc *time.Location, cutoff int) time.Time {
	return cutOffOn(day.Year(), day.Month(), day.Day()+1, loc, cutoff).UTC()
}

// FormatDay writes a business day as stored: 2025-01-15.
func FormatDay(day time.Time) string { return day.Format(time.DateOnly) }

// MonthRange returns the first and last business days of day's calendar month.
func MonthRange(day time.Time) (first, last time.Time) {
	first = time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first, first.AddDate(0, 1, -1)
}

// WeekRange returns the Monday and Sunday of day's ISO week.
func WeekRange(day time.Time) (first, last time.Time) {
	offset := (int(day.Weekday()) + 6) % 7 // Monday = 0
	first = day.AddDate(0, 0, -offset)
	return first, first.AddDate(0, 0, 6)
}
