package loadtest

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/cmd/checkin/wire"
	"github.com/checkin-oss/checkin/sqlstore"
)

// PagesConfig is what MeasurePages seeds and how often it asks each view.
type PagesConfig struct {
	DSN      string // a SQLite file or a postgres:// URL, seeded once and reused
	Seed     SeedConfig
	Open     int // members checked in now, for Now (added once)
	Requests int // requests per view, one after another
	Progress io.Writer
}

// PageTiming is one view's figures.
type PageTiming struct {
	View, Path     string
	Median, Worst  time.Duration
	Status, Length int // of the last answer
}

// MeasurePages seeds cfg.DSN (or reuses what an earlier run seeded), serves
// the console in this process on it, signs the seeded administrator in and
// asks each console view cfg.Requests times. The clock is fixed at the end
// of the seeded refusals, so that "today" is their last day.
func MeasurePages(ctx context.Context, cfg PagesConfig) ([]PageTiming, error) {
	clock := checkin.NewManualClock(FailedEnd.Add(-12 * time.Hour))
	db, err := sqlstore.Open(ctx, cfg.DSN, clock, nil)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	say(cfg.Progress, "seeding (or reusing) %d members and %d failed check-ins", cfg.Seed.Members, cfg.Seed.Failed.Records)
	seeded, err := Seed(ctx, db, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	loc := seeded.Location
	members, err := seedOpenCheckins(ctx, db, loc, clock.Now(), cfg.Open)
	if err != nil {
		return nil, err
	}
	s := wire.Server(db, nil, nil)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	token, err := db.CreateSession(ctx, AdminEmail, AdminPassword)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	var out []PageTiming
	for _, v := range consoleViews(loc.ID, cfg.Seed.Failed, members) {
		say(cfg.Progress, "%s: %s", v.View, v.Path)
		t, err := timeView(ctx, srv.URL, token, v, cfg.Requests)
		if err != nil {
			return out, err
		}
		out = append(out, t)
	}
	return out, nil
}

// consoleViews are the views measured, each with the filters that cost the
// most on the seeded data.
func consoleViews(loc int64, spec FailedSpec, member int64) []PageTiming {
	at := "location=" + strconv.FormatInt(loc, 10)
	day := FailedEnd.AddDate(0, 0, -1).Format(time.DateOnly)
	month := "&from=" + spec.start().Format(time.DateOnly) + "&to=" + day
	door := "&method=" + strconv.FormatInt(checkin.SourceDoorAccess, 10)
	// where Next page goes on from in the middle of the month (web's cursor: time-id)
	middle := strconv.FormatInt(spec.ListDay().Add(12*time.Hour).UnixMicro(), 10) + "-" + strconv.FormatInt(math.MaxInt64, 10)
	return []PageTiming{
		{View: "Now", Path: "/console/now?" + at},
		{View: "Now, the table alone (after an event)", Path: "/console/now/rows?" + at},
		{View: "Check-ins, today", Path: "/console/checkins?" + at},
		{View: "Check-ins, a month", Path: "/console/checkins?" + at + month},
		{View: "Check-ins, a month, by a name that matches nothing", Path: "/console/checkins?" + at + month + "&q=zzqx"},
		{View: "Failed check-ins, a day", Path: "/console/failed?" + at},
		{View: "Failed check-ins, a month", Path: "/console/failed?" + at + month},
		{View: "Failed check-ins, a month, a page in its middle (Next page 2 500 times)", Path: "/console/failed?" + at + month + "&page=2501&before=" + middle},
		{View: "Failed check-ins, a month, by method", Path: "/console/failed?" + at + month + door},
		{View: "Failed check-ins, a day, by a text that matches nothing", Path: "/console/failed?" + at + "&q=zzqx"},
		{View: "Failed check-ins, a month, by a text that matches nothing", Path: "/console/failed?" + at + month + "&q=zzqx"},
		{View: "Failed check-ins, a month, by a text that matches some", Path: "/console/failed?" + at + month + "&q=" + url.QueryEscape("not registered")},
		{View: "Activity", Path: "/console/activity?" + at},
		{View: "Members", Path: "/console/members?" + at},
		{View: "Members, a search by name", Path: "/console/members?" + at + "&q=Member"},
		{View: "Members, a search that finds no one", Path: "/console/members?" + at + "&q=zzqx"},
		{View: "A member's form", Path: fmt.Sprintf("/console/members/%d?%s", member, at)},
	}
}

// timeView asks for one view n times and keeps the median and the worst.
func timeView(ctx context.Context, base, token string, v PageTiming, n int) (PageTiming, error) {
	client := &http.Client{Timeout: time.Minute}
	times := make([]time.Duration, 0, n)
	for range max(n, 1) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+v.Path, nil)
		if err != nil {
			return v, err
		}
		req.AddCookie(&http.Cookie{Name: "checkin_session", Value: token})
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return v, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		times = append(times, time.Since(start))
		if err != nil {
			return v, err
		}
		v.Status, v.Length = resp.StatusCode, len(body)
		if resp.StatusCode != http.StatusOK {
			return v, fmt.Errorf("%s: answer %d: %.300s", v.Path, resp.StatusCode, body)
		}
	}
	slices.Sort(times)
	v.Median, v.Worst = times[len(times)/2], times[len(times)-1]
	return v, nil
}

// seedOpenCheckins checks n of the location's members in, unless some are
// in already, and returns one member's Id.
func seedOpenCheckins(ctx context.Context, db *sqlstore.DB, loc *checkin.Business, now time.Time, n int) (int64, error) {
	q, err := checkin.Coworkers.ParseListQuery(url.Values{"Coworker_BusinessId": {strconv.FormatInt(loc.ID, 10)}, "size": {strconv.Itoa(max(n, 1))}})
	if err != nil {
		return 0, err
	}
	members, _, err := db.Coworkers().List(ctx, q)
	if err != nil || len(members) == 0 {
		return 0, fmt.Errorf("the seeded members: %d found, %v", len(members), err)
	}
	open, err := db.OpenCheckins(ctx, loc.ID)
	if err != nil || len(open) > 0 {
		return members[0].ID, err
	}
	for i, m := range members[:min(n, len(members))] {
		c := checkin.Checkins.New()
		c.BusinessID, c.CoworkerID, c.Source = loc.ID, &m.ID, checkin.SourceDoorAccess
		c.FromTime = checkin.NewTime(now.Add(-time.Duration(i) * time.Minute))
		if _, err := db.Checkins().Create(ctx, c); err != nil {
			return 0, fmt.Errorf("check in member %d: %w", m.ID, err)
		}
	}
	return members[0].ID, nil
}

func say(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
