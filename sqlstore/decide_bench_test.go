package sqlstore_test

import (
	"context"
	"hash/maphash"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
	"github.com/checkin-oss/checkin/loadtest"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// benchMembers is how many members the benchmarks' location holds, as the
// load tool seeds by default.
const benchMembers = 10_000

// seededStore opens a store of the dialect with the load tool's location
// of benchMembers members.
func seededStore(b *testing.B, dialect string) (*sqlstore.DB, *checkin.Business) {
	b.Helper()
	db := storetest.Open(b, dialect, checkin.NewManualClock(storetest.Start))
	seeded, err := loadtest.Seed(context.Background(), db, loadtest.SeedConfig{Location: "bench", Members: benchMembers, Tokens: 100})
	if err != nil {
		b.Fatal(err)
	}
	return db, seeded.Location
}

// request is what the load tool sends for method's i-th member, decoded.
func request(b *testing.B, method string, i int) checkin.CheckinRequest {
	req, err := access.DecodeRequest(loadtest.Body(method, i))
	if err != nil {
		b.Fatal(err)
	}
	return req
}

// BenchmarkLookup times the credential lookups of a decision against a
// seeded location, b.N of them in one decision transaction, so that the
// transaction's own cost (BenchmarkDecideEmpty) is left out.
func BenchmarkLookup(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db, loc := seededStore(b, dialect)
			lookups := map[string]func(tx checkin.DecisionView, i int) (int, error){
				"card": func(tx checkin.DecisionView, i int) (int, error) {
					ms, err := tx.MembersByCard(loc.NetworkID, request(b, "card", i).AccessCardID)
					return len(ms), err
				},
				"pincode": func(tx checkin.DecisionView, i int) (int, error) {
					ms, err := tx.MembersByPincode(loc.ID, request(b, "pincode", i).Pincode)
					return len(ms), err
				},
				"mac": func(tx checkin.DecisionView, i int) (int, error) {
					ps, err := tx.PersonsByDevice(request(b, "mac", i).MAC)
					return len(ps), err
				},
			}
			for _, name := range []string{"card", "pincode", "mac"} {
				b.Run(name, func(b *testing.B) { benchLookup(b, db, lookups[name]) })
			}
		})
	}
}

func benchLookup(b *testing.B, db *sqlstore.DB, lookup func(tx checkin.DecisionView, i int) (int, error)) {
	b.ReportAllocs()
	err := db.Decide(context.Background(), func(tx checkin.DecisionView) ([]checkin.Effect, error) {
		i := 0
		for b.Loop() {
			n, err := lookup(tx, i%benchMembers)
			if err != nil || n != 1 {
				b.Fatalf("lookup %d found %d, %v; want 1", i, n, err)
			}
			i++
		}
		return nil, nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDecideEmpty times a decision that reads and changes nothing:
// what every check-in pays before its first query.
func BenchmarkDecideEmpty(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.Open(b, dialect, checkin.NewManualClock(storetest.Start))
			b.ReportAllocs()
			for b.Loop() {
				if err := db.Decide(context.Background(), func(checkin.DecisionView) ([]checkin.Effect, error) { return nil, nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAddFailedCheckin times the record a refusal writes: on its own
// (one transaction each, as imports do) and as a decision's effect (as a
// refused check-in does).
func BenchmarkAddFailedCheckin(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db, loc := seededStore(b, dialect)
			ctx := context.Background()
			record := func(i int) *checkin.FailedCheckin {
				return &checkin.FailedCheckin{BusinessID: loc.ID, BusinessName: &loc.Name, Source: checkin.SourceDoorAccess,
					Description: checkin.StringPtr("Card UNKNOWN-" + strconv.Itoa(i) + " is not registered to any member.")}
			}
			b.Run("own_tx", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					if _, err := db.AddFailedCheckin(ctx, record(i)); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("in_decision", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					err := db.Decide(ctx, func(checkin.DecisionView) ([]checkin.Effect, error) {
						return []checkin.Effect{checkin.RecordFailedCheckin{FailedCheckin: record(i)}}, nil
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkRefusals times refusals as the load tool sends them to SQLite:
// many at once, each a FailedCheckin and a failure of a throttling key of
// its own (an unknown card's identity key), written in the writer's
// batches. Its figure is the writer's cost of a refusal, commits included.
func BenchmarkRefusals(b *testing.B) {
	db, loc := seededStore(b, "sqlite")
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(32) // 64 requests in flight on 2 cores, as the load tool's
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := strconv.FormatInt(n.Add(1), 10)
			f := &checkin.FailedCheckin{BusinessID: loc.ID, BusinessName: &loc.Name, Source: checkin.SourceDoorAccess,
				Description: checkin.StringPtr("Card UNKNOWN-" + i + " is not registered to any member.")}
			key := checkin.ThrottleFailure{Key: "i:card:" + strconv.FormatUint(uint64(maphash.String(keySeed, i)), 36), Window: time.Hour, Keep: time.Hour}
			err := db.Decide(ctx, func(checkin.DecisionView) ([]checkin.Effect, error) {
				return []checkin.Effect{checkin.RecordFailedCheckin{FailedCheckin: f}, checkin.CountFailures{Failures: []checkin.ThrottleFailure{key}}}, nil
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

var keySeed = maphash.MakeSeed()
