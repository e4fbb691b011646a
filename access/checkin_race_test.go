package access_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
)

// Race tests: many requests at once against one instance (SQLite) or two
// (PostgreSQL), then each invariant checked in the database.

// TestRaceOneOpenCheckin: however many requests about one member arrive at
// once, the member has at most one open check-in here, and every answer
// is what the database holds.
func TestRaceOneOpenCheckin(t *testing.T) {
	inBy := []string{`{"pincode":"1234"}`, `{"accessCardId":"CARD-1"}`, `{"mac":"` + janeDevice + `"}`, `{"email":"jane@example.com","pincode":"1234"}`}
	toggleBy := []string{`{"toggle":true,"pincode":"1234"}`, `{"toggle":true,"accessCardId":"card-2"}`}
	tests := []struct {
		name       string
		body       func(i int) string
		wantRows   func(n tally) int // Jane's check-ins
		wantClosed func(n tally) int
	}{
		{"check-ins by every method", func(i int) string { return inBy[i%len(inBy)] },
			func(tally) int { return 1 }, func(tally) int { return 0 }},
		{"toggles", func(i int) string { return toggleBy[i%len(toggleBy)] },
			func(n tally) int { return n.in }, func(n tally) int { return n.out }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eachRace(t, func(t *testing.T, r *raceFixture) {
				const requests = 120
				n := r.tally(r.posts(requests, tc.body))
				if n.ok != requests {
					t.Fatalf("%d of %d answered with success; refusals %v", n.ok, requests, n.refused)
				}
				rows := r.count("SELECT count(*) FROM checkins WHERE coworker_id = %d", r.jane.ID)
				closed := r.count("SELECT count(*) FROM checkins WHERE coworker_id = %d AND to_time IS NOT NULL", r.jane.ID)
				if got, want := rows, tc.wantRows(n); got != want {
					t.Errorf("check-ins stored = %d, want %d (answered: %d in, %d out)", got, want, n.in, n.out)
				}
				if got, want := closed, tc.wantClosed(n); got != want {
					t.Errorf("check-ins closed = %d, want %d (answered: %d in, %d out)", got, want, n.in, n.out)
				}
				if open := rows - closed; open > 1 || open != n.in-n.out && tc.name == "toggles" {
					t.Errorf("open check-ins = %d; answered %d in, %d out", open, n.in, n.out)
				}
				if got := r.count("SELECT count(*) FROM failed_checkins"); got != 0 {
					t.Errorf("FailedCheckins = %d, want none", got)
				}
			})
		})
	}
}

// TestRaceTokenMinutes: many disconnects of one running token session at
// once subtract its minutes once; sessions follow one another, and the
// minutes never go below zero, even when the background sweep races the
// disconnects of a session that outlived its minutes.
func TestRaceTokenMinutes(t *testing.T) {
	eachRace(t, func(t *testing.T, r *raceFixture) {
		tok := r.token("GUEST-2026", 60, nil, nil)
		const otherMAC = "11:22:33:44:55:77"
		rounds := []struct {
			elapsed time.Duration
			sweep   bool // sweep from every instance during the disconnects
			left    int  // MinutesLeft afterwards
		}{
			{10*time.Minute + 30*time.Second, false, 49}, // every started minute counts: 11
			{90 * time.Second, true, 47},
			{0, false, 47},
			{59 * time.Second, true, 46},
			{2 * time.Hour, true, 0}, // outlived its 46 minutes
		}
		for i, round := range rounds {
			for _, mac := range []string{guestMAC, otherMAC} { // two devices, one session
				if _, c := r.post(`{"token":"GUEST-2026","mac":"` + mac + `"}`); !c.WasSuccessful {
					t.Fatalf("round %d: the session did not start: %+v", i, c)
				}
			}
			r.clock.Advance(round.elapsed)
			stop := r.sweepUntil(round.sweep)
			n := r.tally(r.posts(80, func(i int) string {
				return `{"disconnect":true,"mac":"` + []string{guestMAC, "112233445577", "11-22-33-44-55-66"}[i%3] + `"}`
			}))
			swept := stop()
			if n.ok != 80 {
				t.Errorf("round %d: %d disconnects answered with success, want 80 (refused %v)", i, n.ok, n.refused)
			}
			if got := *r.tokenByID(tok.ID).MinutesLeft; got != int64(round.left) {
				t.Errorf("round %d (%v, swept %d): MinutesLeft = %d, want %d", i, round.elapsed, swept, got, round.left)
			}
			sessions := r.count("SELECT count(*) FROM checkins WHERE access_token_id = %d", tok.ID)
			closed := r.count("SELECT count(*) FROM checkins WHERE access_token_id = %d AND to_time IS NOT NULL", tok.ID)
			if sessions != i+1 || closed != i+1 {
				t.Errorf("round %d: %d token sessions stored, %d closed; want %d, all closed", i, sessions, closed, i+1)
			}
		}
		if got := r.count("SELECT count(*) FROM access_tokens WHERE minutes_left < 0"); got != 0 {
			t.Errorf("%d tokens below zero minutes", got)
		}
	})
}

// sweepUntil runs the background sweep from every instance, over and over,
// until the returned function is called; that function returns how many
// records the sweeps closed.
func (r *raceFixture) sweepUntil(on bool) func() int {
	if !on {
		return func() int { return 0 }
	}
	done := make(chan struct{})
	var total atomic.Int64
	var wg sync.WaitGroup
	for _, db := range r.stores {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				n, err := db.Sweep(r.ctx)
				if err != nil {
					r.t.Errorf("sweep: %v", err)
				}
				total.Add(int64(n))
			}
		})
	}
	stop := sync.OnceValue(func() int {
		close(done)
		wg.Wait()
		return int(total.Load())
	})
	r.t.Cleanup(func() { stop() })
	return stop
}

// TestRaceDeviceLimit: new devices registered at once never take a member
// past Checkin.DeviceCountLimit; each refusal is recorded once.
func TestRaceDeviceLimit(t *testing.T) {
	tests := []struct {
		name        string
		limit       string
		mac         func(i int) string
		wantDevices int
		wantOK      int
	}{
		{"distinct new devices", "4", func(i int) string { return fmt.Sprintf("02:00:00:00:00:%02X", i) }, 4, 3},
		{"one new device in many spellings", "2", func(i int) string {
			return []string{"02:00:00:00:00:AA", "02-00-00-00-00-aa", "0200.0000.00aa", "0200000000AA"}[i%4]
		}, 2, 20},
		{"the limit already reached", "1", func(i int) string { return fmt.Sprintf("02:00:00:00:00:%02X", i) }, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eachRace(t, func(t *testing.T, r *raceFixture) {
				r.set(checkin.SettingDeviceCountLimit, tc.limit)
				const requests = 20 // each checks a password: argon2id is slow by design
				n := r.tally(r.posts(requests, func(i int) string {
					return `{"email":"jane@example.com","password":"jane-password","mac":"` + tc.mac(i) + `"}`
				}))
				if got := r.count("SELECT count(*) FROM user_devices WHERE user_id = %d", r.jane.UserID); got != tc.wantDevices {
					t.Errorf("devices = %d, want %d", got, tc.wantDevices)
				}
				if n.ok != tc.wantOK || n.refused[checkin.CodeDeviceLimitReached] != requests-tc.wantOK {
					t.Errorf("answers: %d successes, refusals %v; want %d successes, the rest DEVICE_LIMIT_REACHED", n.ok, n.refused, tc.wantOK)
				}
				if got := r.count("SELECT count(*) FROM failed_checkins WHERE coworker_id = %d", r.jane.ID); got != n.refusals {
					t.Errorf("FailedCheckins about Jane = %d, want one per refusal, %d", got, n.refusals)
				}
				if got, want := r.count("SELECT count(*) FROM checkins"), min(1, tc.wantOK); got != want {
					t.Errorf("check-ins = %d, want %d", got, want)
				}
			})
		})
	}
}

// refusalKind is one kind of request in a burst of refusals.
type refusalKind struct {
	name, body, host string
	n                int
	status           int
	code             string // "" for a success
	source           int64  // of its FailedCheckin
}

// TestRaceOneFailedCheckinPerRefusal: a burst of refusals of every kind,
// mixed with successes and requests that are not decided, writes exactly
// one FailedCheckin per refusal, from the right source, and none for the
// rest.
func TestRaceOneFailedCheckinPerRefusal(t *testing.T) {
	kinds := []refusalKind{
		{"wrong pincode", `{"pincode":"9999"}`, "", 30, 200, checkin.CodeInvalidCredentials, checkin.SourceManual},
		{"wrong password", `{"email":"jane@example.com","password":"wrong-password"}`, "", 10, 200, checkin.CodeInvalidCredentials, checkin.SourceManual},
		{"unknown card", `{"accessCardId":"NOPE"}`, "", 30, 200, checkin.CodeInvalidCardNumber, checkin.SourceDoorAccess},
		{"inactive member", `{"accessCardId":"CARD-SAM"}`, "", 30, 200, checkin.CodeNoAccessToSpace, checkin.SourceDoorAccess},
		{"unknown token", `{"token":"NOPE","mac":"` + guestMAC + `"}`, "", 30, 200, checkin.CodeInvalidAccessToken, checkin.SourceNetworkActivity},
		{"token without a MAC", `{"token":"NOPE"}`, "", 20, 200, checkin.CodeMACNotReceived, checkin.SourceNetworkActivity},
		{"unknown device", `{"mac":"02:00:00:00:00:99"}`, "", 30, 200, checkin.CodeNoAccessToSpace, checkin.SourceNetworkActivity},
		{"Jane checks in", `{"pincode":"1234"}`, "", 20, 200, "", 0},
		{"no method", `{"toggle":true}`, "", 10, 400, checkin.CodeInvalidRequestData, 0},
		{"unknown location", `{"pincode":"9999"}`, "nowhere.localhost", 10, 404, checkin.CodeInvalidAccountSubdomain, 0},
	}
	eachRace(t, func(t *testing.T, r *raceFixture) {
		sam := r.member(memberSpec{name: "Sam", email: "sam@example.com", cards: "CARD-SAM", inactive: true})
		var order []refusalKind
		for _, k := range kinds {
			for range k.n {
				order = append(order, k)
			}
		}
		answers := r.burst(len(order), func(i int) request { return request{body: order[i].body, host: order[i].host} })
		wantBySource := map[int64]int{}
		for i, a := range answers {
			k := order[i]
			if a.err != nil || a.status != k.status || code(a.c) != k.code {
				t.Fatalf("%s: %d %q (%v), want %d %q", k.name, a.status, code(a.c), a.err, k.status, k.code)
			}
			if k.status == 200 && k.code != "" {
				wantBySource[k.source]++
			}
		}
		for _, source := range []int64{checkin.SourceManual, checkin.SourceDoorAccess, checkin.SourceNetworkActivity} {
			if got := r.count("SELECT count(*) FROM failed_checkins WHERE source = %d", source); got != wantBySource[source] {
				t.Errorf("FailedCheckins from source %d = %d, want %d", source, got, wantBySource[source])
			}
		}
		if got := r.count("SELECT count(*) FROM failed_checkins WHERE coworker_id = %d", sam.ID); got != 30 {
			t.Errorf("FailedCheckins naming the inactive member = %d, want 30", got)
		}
		if got := r.count("SELECT count(*) FROM failed_checkins WHERE source NOT IN (1, 2, 3)"); got != 0 {
			t.Errorf("%d FailedCheckins of another source", got)
		}
		if got := r.count("SELECT count(*) FROM checkins"); got != 1 {
			t.Errorf("check-ins = %d, want Jane's one", got)
		}
		if got := r.count("SELECT count(*) FROM business_settings WHERE canonical_name = '%s'", checkin.SettingGenerateUniquePincode); got != 1 {
			t.Errorf("Security.GenerateUniquePincode records = %d, want the one written by the first pincode", got)
		}
	})
}

// contains400 reports whether an admin API answer is a 400 naming field.
func contains400(a answer, field string) bool {
	return a.status == 400 && strings.Contains(string(a.raw), `"PropertyName":"`+field+`"`)
}
