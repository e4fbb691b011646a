package access_test

import (
	"testing"

	"github.com/checkin-oss/checkin/httpapi"
)

// TestRaceOneMemberWithinTheBudget: 64 requests about one member at once,
// on servers with the default budget for a check-in's database work, are
// all decided (none answered 503 for want of time while they wait for one
// another), and leave at most one open check-in; round after round.
func TestRaceOneMemberWithinTheBudget(t *testing.T) {
	const requests, rounds = 64, 3
	inBy := []string{`{"pincode":"1234"}`, `{"accessCardId":"CARD-1"}`, `{"mac":"` + janeDevice + `"}`, `{"email":"jane@example.com","pincode":"1234"}`}
	tests := []struct {
		name   string
		before string // sent alone before each burst, if not ""
		body   func(i int) string
	}{
		{"toggles", "", func(int) string { return `{"toggle":true,"pincode":"1234"}` }},
		{"check-ins by every method", "", func(i int) string { return inBy[i%len(inBy)] }},
		{"disconnects", `{"mac":"` + janeDevice + `"}`, func(int) string { return `{"disconnect":true,"mac":"` + janeDevice + `"}` }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eachRaceWithin(t, httpapi.DefaultCheckinTimeout, func(t *testing.T, r *raceFixture) {
				for round := range rounds {
					if tc.before != "" {
						if _, c := r.post(tc.before); !c.WasSuccessful {
							t.Fatalf("round %d: %s: %+v", round, tc.before, c)
						}
					}
					n := r.tally(r.posts(requests, tc.body))
					if n.ok != requests {
						t.Fatalf("round %d: %d of %d answered with success; refusals %v", round, n.ok, requests, n.refused)
					}
					open := r.count("SELECT count(*) FROM checkins WHERE coworker_id = %d AND to_time IS NULL", r.jane.ID)
					if open > 1 {
						t.Fatalf("round %d: %d open check-ins", round, open)
					}
				}
			})
		})
	}
}
