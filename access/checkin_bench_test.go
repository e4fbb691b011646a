package access_test

import (
	"context"
	"net/netip"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
	"github.com/checkin-oss/checkin/loadtest"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
	"github.com/checkin-oss/checkin/throttle"
)

// benchMembers is the seeded location's size, the load tool's default.
const benchMembers = 10_000

// decisionBench is a check-in service on a location seeded as the load
// tool seeds it, with a clock the benchmark moves.
type decisionBench struct {
	db    *sqlstore.DB
	clock *checkin.ManualClock
	loc   *checkin.Business
	svc   *access.Service
}

func newDecisionBench(b *testing.B, dialect string) *decisionBench {
	b.Helper()
	clock := checkin.NewManualClock(storetest.Start)
	db := storetest.Open(b, dialect, clock)
	seeded, err := loadtest.Seed(context.Background(), db, loadtest.SeedConfig{Location: "bench", Members: benchMembers, Tokens: 100})
	if err != nil {
		b.Fatal(err)
	}
	return &decisionBench{db: db, clock: clock, loc: seeded.Location, svc: &access.Service{Store: db}}
}

// checkIn decides the load tool's request of method for identity i and
// fails unless the answer is the wanted result ("checked_in" or a code).
func (d *decisionBench) checkIn(b *testing.B, method string, i int, want string) {
	req, err := access.DecodeRequest(loadtest.Body(method, i))
	if err != nil {
		b.Fatal(err)
	}
	out, err := d.svc.CheckIn(context.Background(), d.loc, req)
	if err != nil || out.Result != want {
		b.Fatalf("%s %d: %s, %v; want %s", method, i, out.Result, err, want)
	}
}

// nextDay closes every open check-in (the daily cut-off), so that each
// member's next check-in is a new one.
func (d *decisionBench) nextDay(b *testing.B) {
	d.clock.Advance(24 * time.Hour)
	if _, err := d.db.Sweep(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCheckIn times whole decisions, as access.Service.CheckIn makes
// them: a member already checked in (repeat), a member's first check-in of
// the day (new: a Checkin is inserted), and unknown credentials (refused: a
// FailedCheckin is inserted).
func BenchmarkCheckIn(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			d := newDecisionBench(b, dialect)
			for _, method := range []string{"card", "mac", "pincode"} {
				b.Run("repeat/"+method, func(b *testing.B) {
					d.checkIn(b, method, 7, "checked_in")
					b.ReportAllocs()
					for b.Loop() {
						d.checkIn(b, method, 7, "checked_in")
					}
				})
			}
			b.Run("new/card", func(b *testing.B) {
				d.nextDay(b)
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					if i > 0 && i%benchMembers == 0 {
						b.StopTimer()
						d.nextDay(b)
						b.StartTimer()
					}
					d.checkIn(b, "card", i%benchMembers, "checked_in")
				}
			})
			// First check-ins, 64 at once: on SQLite they share the writer's
			// commits, so this times the writer rather than the disk. Run it
			// with -benchtime at most 10000x: beyond that a member's check-in
			// is a repeat.
			b.Run("new-64/card", func(b *testing.B) {
				d.nextDay(b)
				var member atomic.Int64
				next := func() int { return int(member.Add(1)-1) % benchMembers }
				d.checkIn64(b, d.svc, throttle.Client{}, "card", next, "checked_in")
			})
			var next atomic.Int64 // cards not sent before, across the runs of -count
			refusals := map[string]string{"unknown_card": checkin.CodeInvalidCardNumber, "unknown_mac": checkin.CodeNoAccessToSpace}
			for _, method := range []string{"unknown_card", "unknown_mac"} {
				b.Run("refused/"+method, func(b *testing.B) {
					b.ReportAllocs()
					for i := 0; b.Loop(); i++ {
						d.checkIn(b, method, i, refusals[method])
					}
				})
			}
			// Refusals from a trusted door bridge, 64 at once as the load
			// tool sends them: each writes a FailedCheckin and counts a
			// throttling failure, and on SQLite they share the writer's
			// commits.
			b.Run("refused-64/unknown_card", func(b *testing.B) {
				svc := &access.Service{Store: d.db, Throttle: &throttle.Limiter{Store: d.db}}
				bridge := throttle.Client{Addr: netip.MustParseAddr("127.0.0.1"), Trusted: true}
				unsent := func() int { return int(next.Add(1)) }
				d.checkIn64(b, svc, bridge, "unknown_card", unsent, checkin.CodeInvalidCardNumber)
			})
		})
	}
}

// checkIn64 sends the load tool's requests of method through svc from
// client, 64 at once, identity i taken from next, and fails unless each
// answer is want.
func (d *decisionBench) checkIn64(b *testing.B, svc *access.Service, client throttle.Client, method string, next func() int, want string) {
	b.SetParallelism(64 / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next()
			req, err := access.DecodeRequest(loadtest.Body(method, i))
			if err != nil {
				b.Error(err)
				return
			}
			out, err := svc.CheckInFrom(context.Background(), d.loc, req, client)
			if err != nil || out.Result != want {
				b.Errorf("%s %d: %s, %v; want %s", method, i, out.Result, err, want)
				return
			}
		}
	})
}
