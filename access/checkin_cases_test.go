package access_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
)

// checkinCase is one request to the check-in endpoint and what it must do.
type checkinCase struct {
	name  string
	setup func(f *fixture)
	body  string
	want  string // the refusal code; "" for a success
	check func(t *testing.T, f *fixture, c checkin.Confirmation)
}

// runCheckinCases runs each case on a fresh fixture on each database and
// checks, besides the case's own checks, the status the code calls for and
// that a refusal wrote exactly one FailedCheckin and a success none.
func runCheckinCases(t *testing.T, cases []checkinCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eachFixture(t, func(t *testing.T, f *fixture) {
				if tc.setup != nil {
					tc.setup(f)
				}
				before := len(f.failed())
				status, c := f.post(tc.body)
				if got := code(c); got != tc.want {
					t.Fatalf("%s: code = %q (%q), want %q", tc.body, got, c.Message, tc.want)
				}
				if want := statusFor(tc.want); status != want {
					t.Errorf("status = %d, want %d", status, want)
				}
				wantFailed := 0
				if tc.want != "" && tc.want != checkin.CodeInvalidRequestData {
					wantFailed = 1
				}
				if got := len(f.failed()) - before; got != wantFailed {
					t.Errorf("FailedCheckins written = %d, want %d", got, wantFailed)
				}
				if tc.check != nil {
					tc.check(t, f, c)
				}
			})
		})
	}
}

func statusFor(code string) int {
	switch code {
	case checkin.CodeInvalidRequestData:
		return http.StatusBadRequest
	case checkin.CodeInvalidAccountSubdomain:
		return http.StatusNotFound
	}
	return http.StatusOK
}

// lastFailed returns the newest FailedCheckin.
func (f *fixture) lastFailed() *checkin.FailedCheckin {
	fs := f.failed()
	if len(fs) == 0 {
		f.t.Fatal("no FailedCheckin was written")
	}
	return fs[len(fs)-1]
}

// lastCheckin returns the newest Checkin.
func (f *fixture) lastCheckin() *checkin.Checkin {
	cs := f.checkins()
	if len(cs) == 0 {
		f.t.Fatal("no Checkin was written")
	}
	return cs[len(cs)-1]
}

// memberSession checks a member's success answer: who, checked in, and a
// session ending at the location's next cut-off.
func memberSession(t *testing.T, c checkin.Confirmation, coworkerID int64, wantExpire string, wantTimeOut int64) {
	t.Helper()
	v := c.Value
	if v == nil || v.CoworkerID == nil || *v.CoworkerID != coworkerID || v.CheckedIn == nil || !*v.CheckedIn || v.FullName == nil {
		t.Fatalf("value = %+v, want coworker %d checked in", v, coworkerID)
	}
	if v.SessionExpire != wantExpire || c.Message != wantExpire || v.SessionTimeOut != wantTimeOut {
		t.Errorf("session = %q/%q, %d s; want %q, %d s", c.Message, v.SessionExpire, v.SessionTimeOut, wantExpire, wantTimeOut)
	}
}

// The fixture's clock starts on Monday 2026-06-15 at 09:00 UTC, 10:00 in
// London; with the default cut-off (midnight, local) a member's session ends
// at 23:00 UTC, 14 hours on.
const (
	endOfDay     = "2026-06-15T23:00:00 UTC"
	endOfDayLeft = 14 * 3600
)

// checkedInBy checks the newest Checkin: the member, open, and its source.
func checkedInBy(coworkerID, source int64) func(t *testing.T, f *fixture, c checkin.Confirmation) {
	return func(t *testing.T, f *fixture, c checkin.Confirmation) {
		t.Helper()
		memberSession(t, c, coworkerID, endOfDay, endOfDayLeft)
		last := f.lastCheckin()
		if last.CoworkerID == nil || *last.CoworkerID != coworkerID || last.ToTime != nil || last.Source != source || last.BusinessID != f.loc.ID {
			t.Errorf("checkin = coworker %v, to %v, source %d, business %d; want %d, open, %d, %d",
				last.CoworkerID, last.ToTime, last.Source, last.BusinessID, coworkerID, source, f.loc.ID)
		}
	}
}

// refusedAbout checks the newest FailedCheckin's member, source and
// description.
func refusedAbout(coworkerID *int64, source int64, descriptionHas string) func(t *testing.T, f *fixture, c checkin.Confirmation) {
	return func(t *testing.T, f *fixture, c checkin.Confirmation) {
		t.Helper()
		fc := f.lastFailed()
		if (coworkerID == nil) != (fc.CoworkerID == nil) || coworkerID != nil && *coworkerID != *fc.CoworkerID {
			t.Errorf("FailedCheckin.CoworkerId = %v, want %v", fc.CoworkerID, coworkerID)
		}
		if fc.Source != source {
			t.Errorf("FailedCheckin.Source = %d, want %d", fc.Source, source)
		}
		if fc.Description == nil || !contains(*fc.Description, descriptionHas) {
			t.Errorf("FailedCheckin.Description = %v, want it to mention %q", fc.Description, descriptionHas)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(sub)) }

// janeIn checks that Jane checked in by the given source.
func janeIn(source int64) func(t *testing.T, f *fixture, c checkin.Confirmation) {
	return func(t *testing.T, f *fixture, c checkin.Confirmation) {
		t.Helper()
		checkedInBy(f.jane.ID, source)(t, f, c)
	}
}

// refusedAboutJane checks that the newest FailedCheckin names Jane.
func refusedAboutJane(source int64, descriptionHas string) func(t *testing.T, f *fixture, c checkin.Confirmation) {
	return func(t *testing.T, f *fixture, c checkin.Confirmation) {
		t.Helper()
		refusedAbout(&f.jane.ID, source, descriptionHas)(t, f, c)
	}
}
