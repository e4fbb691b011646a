package loadtest

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// testSeed crosses the seed's batch (1 000) and statement (250) sizes.
var testSeed = SeedConfig{Location: "bench", Members: 1_234, Tokens: 300,
	Failed: FailedSpec{Records: 2_000, Days: 30, Locations: 3}}

func TestSeedCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		ctx := context.Background()
		seeded, err := Seed(ctx, db, testSeed)
		if err != nil {
			t.Fatal(err)
		}
		if seeded.Reused || len(seeded.FailedLocations) != 3 || seeded.FailedLocations[0].ID != seeded.Location.ID {
			t.Fatalf("seeded %+v, want a new location and 3 locations of failed check-ins, it first", seeded)
		}
		wantCounts(t, db, seeded, map[string]int{"coworkers": 1_234, "users": 1_235, "tokens": 300, "failed": 2_000})
		again, err := Seed(ctx, db, testSeed)
		if err != nil || !again.Reused || again.Location.ID != seeded.Location.ID || len(again.FailedLocations) != 3 {
			t.Fatalf("seeding again: %+v, %v; want the same location, reused", again, err)
		}
		wantCounts(t, db, seeded, map[string]int{"coworkers": 1_234, "users": 1_235, "tokens": 300, "failed": 2_000})
	})
}

// wantCounts compares the records of each kind with want, and the failed
// check-ins of the listed day with what CountOn says.
func wantCounts(t *testing.T, db *sqlstore.DB, seeded *Seeded, want map[string]int) {
	t.Helper()
	got := map[string]int{
		"coworkers": total(t, checkin.Coworkers.Schema, db.Coworkers(), url.Values{"Coworker_Business": {id(seeded.Location)}}),
		"users":     total(t, checkin.Users.Schema, db.Users(), nil),
		"tokens":    total(t, checkin.AccessTokens.Schema, db.AccessTokens(), nil),
		"failed":    total(t, checkin.FailedCheckins.Schema, db.FailedCheckins(), nil),
	}
	for kind, n := range want {
		if got[kind] != n {
			t.Errorf("%s: %d records, want %d", kind, got[kind], n)
		}
	}
	day := testSeed.Failed.ListDay()
	list, _ := url.ParseQuery(ListQuery(seeded.Location.ID, day)[len("/api/spaces/failedcheckins?"):])
	if got, want := total(t, checkin.FailedCheckins.Schema, db.FailedCheckins(), list), testSeed.Failed.CountOn(0, day); got != want || want == 0 {
		t.Errorf("the listed day has %d failed check-ins, CountOn says %d", got, want)
	}
}

func total[T any](t *testing.T, s *checkin.Schema, repo checkin.Repository[T], filter url.Values) int {
	t.Helper()
	q, err := s.ParseListQuery(filter)
	if err != nil {
		t.Fatal(err)
	}
	_, n, err := repo.List(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func id(b *checkin.Business) string { return strconv.FormatInt(b.ID, 10) }

// TestSeededRequests sends each method's request for the first and the last
// identity through the service's own handler and checks that each gets the
// answer the load expects.
func TestSeededRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		seed := testSeed
		seed.Failed.Records = 0
		if _, err := Seed(context.Background(), db, seed); err != nil {
			t.Fatal(err)
		}
		srv := &httpapi.Server{Auth: db, CheckIn: &access.Service{Store: db}, Locations: db, BaseDomain: "localhost"}
		ts := httptest.NewServer(srv.Handler())
		defer ts.Close()
		c := newConn(ts.Listener.Addr().String())
		defer c.close()
		for _, m := range Methods {
			for _, i := range []int{0, m.identities(seed) - 1, 0} { // the first twice: a new and a repeat check-in
				req := appendRequest(nil, CheckinPath, "bench.localhost", m.body(nil, i))
				status, body, err := c.roundTrip(req)
				if v := classify(status, body, err, m, true); v != answerOK {
					t.Errorf("%s %d: %s (%v), want the expected answer", m.Name, i, describeAnswer(status, body), err)
				}
			}
		}
	})
}
