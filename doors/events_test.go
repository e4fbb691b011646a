package doors_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/doors"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

func upload(t *testing.T, a *apitest.API, key string, events ...checkin.DoorEvent) []doors.EventResult {
	t.Helper()
	r := a.Want(a.Do("POST", doors.EventsPath, key, doors.Upload{Events: events}), http.StatusOK, "upload")
	return apitest.Decode[doors.Uploaded](t, r).Results
}

func results(rs []doors.EventResult) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Result
	}
	return out
}

func TestOfflineEventsAreRecordedOnceAtTheirOwnTime(t *testing.T) {
	each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		d := newDoor(t, a, loc)
		m := member(t, a, loc, "CARD-1", nil)
		a.Clock.Advance(3 * time.Hour)
		at := storetest.Start.Add(time.Hour)
		events := []checkin.DoorEvent{
			{EventID: "e-1", Time: at, AccessCardID: "card-1", Opened: true},
			{EventID: "e-2", Time: at.Add(time.Minute), AccessCardID: "CARD-1", Opened: true}, // the same visit
			{EventID: "e-3", Time: at.Add(2 * time.Minute), AccessCardID: "NOBODY", Opened: false},
			{EventID: "e-4", Time: at.Add(3 * time.Minute), AccessCardID: "NOBODY", Opened: true},
			{EventID: "e-5", Time: a.Clock.Now().Add(time.Hour), AccessCardID: "CARD-1", Opened: true},
			{EventID: "e-6", Time: at, AccessCardID: "", Opened: true},
		}
		got := upload(t, a, d.Key, events...)
		want := []string{"recorded", "recorded", "recorded", "recorded", "rejected", "rejected"}
		if !slices.Equal(results(got), want) || got[4].Reason != "Time is in the future" || got[0].EventID != "e-1" {
			t.Fatalf("results = %+v, want %v", got, want)
		}
		again := upload(t, a, d.Key, events[:4]...)
		if !slices.Equal(results(again), []string{"duplicate", "duplicate", "duplicate", "duplicate"}) {
			t.Errorf("re-upload = %+v, want all duplicates", again)
		}
		stays := a.Get(a.AdminToken(), fmt.Sprintf("%s?Checkin_Door=%d", checkin.Checkins.Path, d.ID))["Records"].([]any)
		if len(stays) != 1 || stays[0].(map[string]any)["FromTime"] != at.Format(time.RFC3339) || stays[0].(map[string]any)["ToTime"] != nil ||
			apitest.Int(t, stays[0].(map[string]any)["CoworkerId"]) != m || stays[0].(map[string]any)["Source"] != json.Number("2") {
			t.Errorf("check-ins by the door = %v, want one open since %v", stays, at)
		}
		if n := count(t, a, "SELECT count(*) FROM failed_checkins WHERE door_id = ? AND source = 2 AND coworker_id IS NULL", d.ID); n != 2 {
			t.Errorf("FailedCheckins of the card no one holds = %d, want 2", n)
		}
		fails := a.Get(a.AdminToken(), fmt.Sprintf("%s?FailedCheckin_Door=%d&orderby=CheckinAttemptTime&dir=Ascending", checkin.FailedCheckins.Path, d.ID))["Records"].([]any)
		if len(fails) != 2 || fails[0].(map[string]any)["CheckinAttemptTime"] != at.Add(2*time.Minute).Format(time.RFC3339) {
			t.Errorf("FailedCheckins by the door = %v, want the first at the refusal's own time", fails)
		}
		if n := count(t, a, "SELECT count(*) FROM door_events WHERE door_id = ?", d.ID); n != 4 {
			t.Errorf("door events = %d, want 4", n)
		}

		r := a.Do("POST", doors.EventsPath, d.Key, doors.Upload{Events: make([]checkin.DoorEvent, doors.MaxEvents+1)})
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "1000") {
			t.Errorf("an upload of 1001 events: %s", r)
		}
		a.Want(a.Do("POST", doors.EventsPath, d.Key, `{"Events":"no"}`), http.StatusBadRequest, "a malformed upload")
		a.Want(a.Do("POST", doors.EventsPath, "door_wrong", doors.Upload{}), http.StatusUnauthorized, "a wrong key")
	})
}

// TestOfflineCheckinsCountOnTheirOwnDay: a plan of one day a week, used
// offline yesterday, leaves no day today; events of another day open no
// stay today.
func TestOfflineCheckinsCountOnTheirOwnDay(t *testing.T) {
	each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		d := newDoor(t, a, loc)
		weekly := a.Create(a.AdminToken(), checkin.Tariffs.Path, map[string]any{"BusinessId": loc, "Name": "One day", "CheckinWeekLimit": 1})
		m := member(t, a, loc, "CARD-1", map[string]any{"TariffId": weekly})
		monday := storetest.Start
		a.Clock.Advance(24 * time.Hour) // Tuesday
		got := upload(t, a, d.Key, checkin.DoorEvent{EventID: fmt.Sprint("mon-", m), Time: monday, AccessCardID: "CARD-1", Opened: true})
		if got[0].Result != "recorded" {
			t.Fatalf("upload = %+v", got)
		}
		if n := count(t, a, "SELECT count(*) FROM checkins WHERE coworker_id = ? AND business_day = '2026-06-15' AND to_time IS NOT NULL AND auto_checkout", m); n != 1 {
			t.Errorf("Monday's offline check-in, closed at the day's end: %d, want 1", n)
		}
		var kinds []string
		for _, e := range storetest.Events(t, a.DB, 0, 3) { // the member's AccessControlUpdate, then the stay's two
			if e.Kind != checkin.EventAccessControlUpdate {
				kinds = append(kinds, e.Kind)
			}
		}
		if want := []string{checkin.EventCheckin, checkin.EventCheckout}; !slices.Equal(kinds, want) {
			t.Errorf("events of Monday's offline stay = %v, want %v", kinds, want)
		}
		if status := decide(t, a, d.Key, "CARD-1"); status != http.StatusForbidden {
			t.Errorf("Tuesday's check-in after Monday's offline one = %d, want 403 (one day a week)", status)
		}
		_, l := fetchList(t, a, d.Key)
		if entryOf(l, m) != nil {
			t.Error("the member is on the list with no day left")
		}
	})
}
