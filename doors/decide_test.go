package doors_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/doors"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

func TestDecideOpensForMembersOnly(t *testing.T) {
	each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		d := newDoor(t, a, loc)
		in := member(t, a, loc, "CARD-IN", nil)
		member(t, a, loc, "CARD-OFF", map[string]any{"Active": false})
		other := a.NewLocation()
		member(t, a, other, "CARD-ELSEWHERE", nil)

		cases := []struct {
			body       map[string]any
			status     int
			code       string
			successful bool
		}{
			{map[string]any{"accessCardId": "card-in"}, http.StatusOK, "", true}, // cards match in any case
			{map[string]any{"accessCardId": "CARD-IN"}, http.StatusOK, "", true}, // again: already in
			{map[string]any{"accessCardId": "CARD-OFF"}, http.StatusForbidden, checkin.CodeNoAccessToSpace, false},
			{map[string]any{"accessCardId": "CARD-ELSEWHERE"}, http.StatusForbidden, checkin.CodeInvalidCardNumber, false},
			{map[string]any{"accessCardId": "NO-SUCH-CARD"}, http.StatusForbidden, checkin.CodeInvalidCardNumber, false},
			{map[string]any{}, http.StatusBadRequest, checkin.CodeInvalidRequestData, false},
		}
		for _, c := range cases {
			r := a.Do("POST", doors.DecidePath, d.Key, c.body)
			got := apitest.Decode[checkin.Confirmation](t, r)
			code := ""
			if len(got.Errors) > 0 {
				code = got.Errors[0].Message
			}
			if r.Status != c.status || got.WasSuccessful != c.successful || code != c.code {
				t.Errorf("decide %v = %s, want %d %s", c.body, r, c.status, c.code)
			}
		}
		a.Want(a.Do("POST", doors.DecidePath, d.Key, "not json"), http.StatusBadRequest, "a body that is not JSON")

		if n := count(t, a, "SELECT count(*) FROM checkins WHERE coworker_id = ? AND door_id = ? AND source = 2 AND to_time IS NULL", in, d.ID); n != 1 {
			t.Errorf("open check-ins by the door = %d, want 1", n)
		}
		if n := count(t, a, "SELECT count(*) FROM failed_checkins WHERE door_id = ? AND source = 2 AND business_id = ?", d.ID, loc); n != 3 {
			t.Errorf("FailedCheckins by the door = %d, want 3", n)
		}
		page := a.Get(a.AdminToken(), fmt.Sprintf("%s?Checkin_Door=%d", checkin.Checkins.Path, d.ID))
		if recs := page["Records"].([]any); len(recs) != 1 || apitest.Int(t, recs[0].(map[string]any)["DoorId"]) != d.ID {
			t.Errorf("check-ins filtered by door = %v", page["Records"])
		}
	})
}

// TestDecideThrottlesPerCard: a door is a trusted device, so a card that
// keeps failing is slowed down (429) without slowing down the others.
func TestDecideThrottlesPerCard(t *testing.T) {
	each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		d := newDoor(t, a, loc)
		member(t, a, loc, "GOOD", nil)
		throttled := false
		for range 30 {
			if decide(t, a, d.Key, "GUESS") == http.StatusTooManyRequests {
				throttled = true
				break
			}
		}
		if !throttled {
			t.Fatal("a card refused 30 times in a row was never throttled")
		}
		r := a.Do("POST", doors.DecidePath, d.Key, map[string]any{"accessCardId": "GUESS"})
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Errorf("a throttled card: %s, Retry-After %q", r, r.Header.Get("Retry-After"))
		}
		for _, card := range []string{"GOOD", "OTHER-GUESS"} {
			if got := decide(t, a, d.Key, card); got == http.StatusTooManyRequests {
				t.Errorf("card %s throttled because another card failed at the door", card)
			}
		}
	})
}
