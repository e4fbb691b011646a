package doors_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/doors"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// BenchmarkCardCheckin compares a door's decision with the public check-in
// by card, in one run, on one database: the same member, already checked
// in, so each request is a decision that writes nothing. door/public is
// the ratio of their times (DOORS.md asks for the door within 10 %).
func BenchmarkCardCheckin(b *testing.B) {
	a := newAPI(b, "sqlite")
	loc := a.NewLocation()
	rec := a.Get(a.AdminToken(), fmt.Sprintf("%s/%d", checkin.Businesses.Path, loc))
	a.Create(a.AdminToken(), checkin.Coworkers.Path, map[string]any{"BusinessId": loc, "FullName": "Ada", "Email": "ada@example.com", "AccessCardId": "CARD-1"})
	r := a.Do("POST", checkin.Doors.Path, a.AdminToken(), map[string]any{"BusinessId": loc, "Name": "Front"})
	key := r.Object(b)["Value"].(map[string]any)["Key"].(string)
	body := []byte(`{"accessCardId":"CARD-1"}`)
	host := rec["WebAddress"].(string) + ".localhost"
	client := &http.Client{}
	send := func(path string, header http.Header) time.Duration {
		start := time.Now()
		req, _ := http.NewRequest("POST", a.URL+path, bytes.NewReader(body))
		req.Header, req.Host = header, host
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d, want 200", path, resp.StatusCode)
		}
		return time.Since(start)
	}
	public := http.Header{"Content-Type": {"application/json"}}
	door := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + key}}
	var tp, td time.Duration
	n := 0
	for b.Loop() { // one of each in turn, so that both see the same machine
		tp += send("/api/public/checkin", public)
		td += send(doors.DecidePath, door)
		n++
	}
	b.ReportMetric(float64(tp.Nanoseconds())/float64(n), "public-ns/req")
	b.ReportMetric(float64(td.Nanoseconds())/float64(n), "door-ns/req")
	b.ReportMetric(float64(td)/float64(tp), "door/public")
}

// BenchmarkAllowlist10000 builds and signs the list of a location of
// 10 000 members with a card each, from the database: what GET
// /api/public/doors/allowlist does when something changed.
func BenchmarkAllowlist10000(b *testing.B) {
	ctx := context.Background()
	db := storetest.Open(b, "sqlite", checkin.NewManualClock(storetest.Start))
	bz := checkin.Businesses.New()
	bz.Name, bz.WebAddress = "Big", "big"
	loc := storetest.Must(db.Businesses().Create(ctx, bz))
	for i := range 10000 {
		c := checkin.Coworkers.New()
		c.BusinessID, c.FullName, c.Email, c.AccessCardID = loc, fmt.Sprint("M", i), fmt.Sprintf("m%d@example.com", i), fmt.Sprint("CARD-", i)
		storetest.Must(db.Coworkers().Create(ctx, c))
	}
	d := checkin.Doors.New()
	d.BusinessID, d.Name = loc, "Front"
	id := storetest.Must(db.Doors().Create(ctx, d))
	d.ID = id
	h := &doors.Handler{Store: db, Clock: db.Clock}
	b.ResetTimer()
	for b.Loop() {
		n, err := doors.BuildForBenchmark(ctx, h, d)
		if err != nil || n != 10000 {
			b.Fatalf("%d entries, %v", n, err)
		}
		db.Clock.(*checkin.ManualClock).Advance(2 * time.Hour) // a new list each time
	}
}
