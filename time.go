package checkin

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
)

// Time is an instant. JSON writes it as ISO 8601 UTC to the second
// (2025-01-15T10:30:00Z); the database keeps microseconds.
type Time struct{ time.Time }

// LocalTime is a location's wall-clock time without a zone, written
// 2025-01-15T10:30:00. It is kept as a UTC time whose fields are the wall clock.
type LocalTime struct{ time.Time }

const (
	jsonTimeLayout  = "2006-01-02T15:04:05Z"
	jsonLocalLayout = "2006-01-02T15:04:05"
)

// inputLayouts are the spellings accepted for times in requests and filters,
// most precise first. The second value is the precision the layout expresses,
// so that a range "to 2025-01-15" can include the whole day.
var inputLayouts = []struct {
	layout    string
	precision time.Duration
}{
	{time.RFC3339Nano, time.Nanosecond},
	{"2006-01-02T15:04:05.999999999", time.Nanosecond},
	{"2006-01-02 15:04:05.999999999Z07:00", time.Nanosecond},
	{"2006-01-02 15:04:05.999999999", time.Nanosecond},
	{"2006-01-02T15:04Z07:00", time.Minute},
	{"2006-01-02T15:04", time.Minute},
	{"2006-01-02 15:04", time.Minute},
	{"2006-01-02", 24 * time.Hour},
	{time.RFC1123, time.Second}, // Tue, 16 Jun 2026 18:30:00 GMT
	{time.RFC1123Z, time.Second},
}

// Years a time written in a request may fall in: outside them a date is a
// typing mistake, and one past 9999 cannot be stored or written back.
const (
	MinYear = 1900
	MaxYear = 2200
)

// ParseTime reads a time as a client may write it: ISO 8601 with or
// without seconds, fraction and zone (a time without a zone is UTC), a date
// alone, or RFC 1123. It returns the time and the precision it was written
// with. A year outside MinYear..MaxYear is refused.
func ParseTime(s string) (time.Time, time.Duration, error) {
	s = strings.TrimSpace(s)
	for _, l := range inputLayouts {
		if t, err := time.Parse(l.layout, s); err == nil {
			if y := t.UTC().Year(); y < MinYear || y > MaxYear {
				return time.Time{}, 0, fmt.Errorf("%q is outside the years %d to %d", s, MinYear, MaxYear)
			}
			return t.UTC(), l.precision, nil
		}
	}
	return time.Time{}, 0, fmt.Errorf("%q is not a date and time such as 2025-01-15T10:30:00Z", s)
}

// NewTime returns t as a Time truncated to what the database keeps.
func NewTime(t time.Time) Time { return Time{t.UTC().Truncate(time.Microsecond)} }

// NewLocalTime returns the wall-clock time of t in loc.
func NewLocalTime(t time.Time, loc *time.Location) LocalTime {
	l := t.In(loc)
	return LocalTime{time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC).Truncate(time.Microsecond)}
}

// TimePtr returns a pointer to NewTime(t).
func TimePtr(t time.Time) *Time { v := NewTime(t); return &v }

// LocalTimePtr returns a pointer to NewLocalTime(t, loc).
func LocalTimePtr(t time.Time, loc *time.Location) *LocalTime {
	v := NewLocalTime(t, loc)
	return &v
}

func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(jsonTimeLayout) + `"`), nil
}

func (t *Time) UnmarshalJSON(b []byte) error {
	v, err := unmarshalTime(b)
	t.Time = v
	return err
}

func (t LocalTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.Format(jsonLocalLayout) + `"`), nil
}

func (t *LocalTime) UnmarshalJSON(b []byte) error {
	v, err := unmarshalTime(b)
	t.Time = v
	return err
}

func unmarshalTime(b []byte) (time.Time, error) {
	s := string(b)
	if s == "null" {
		return time.Time{}, nil
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return time.Time{}, fmt.Errorf("must be a date and time such as 2025-01-15T10:30:00Z")
	}
	v, _, err := ParseTime(s[1 : len(s)-1])
	return v, err
}

// Value stores the time in UTC, to the microsecond.
func (t Time) Value() (driver.Value, error) { return t.UTC().Truncate(time.Microsecond), nil }

func (t *Time) Scan(src any) error {
	v, err := scanTime(src)
	t.Time = v
	return err
}

// Value stores the wall clock as a UTC time.
func (t LocalTime) Value() (driver.Value, error) { return t.Truncate(time.Microsecond), nil }

func (t *LocalTime) Scan(src any) error {
	v, err := scanTime(src)
	t.Time = v
	return err
}

// scanTime reads what either driver returns for a timestamp column.
func scanTime(src any) (time.Time, error) {
	switch v := src.(type) {
	case time.Time:
		return v.UTC(), nil
	case string:
		return parseStoredTime(v)
	case []byte:
		return parseStoredTime(string(v))
	case nil:
		return time.Time{}, nil
	}
	return time.Time{}, fmt.Errorf("cannot read %T as a time", src)
}

func parseStoredTime(s string) (time.Time, error) {
	for _, l := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time", s)
}

// CheckinTimeFormat is how the public check-in endpoint writes times.
const CheckinTimeFormat = "2006-01-02T15:04:05 UTC"
