package doors_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/doors"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// each runs fn on each test database with the door routes served, the
// clock at storetest.Start.
func each(t *testing.T, fn func(t *testing.T, a *apitest.API)) {
	t.Helper()
	t.Parallel()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			fn(t, newAPI(t, dialect))
		})
	}
}

func newAPI(t testing.TB, dialect string) *apitest.API {
	return apitest.New(t, dialect, checkin.NewManualClock(storetest.Start))
}

// door is a door created through the admin API, with the key shown once.
type door struct {
	ID, BusinessID int64
	Key            string
}

func newDoor(t *testing.T, a *apitest.API, loc int64) door {
	t.Helper()
	r := a.Want(a.Do("POST", checkin.Doors.Path, a.AdminToken(), map[string]any{"BusinessId": loc, "Name": fmt.Sprintf("Door %d", a.Next())}),
		http.StatusOK, "create a door")
	var answer struct{ Value struct{ Id, Key any } }
	if err := json.Unmarshal(r.Body, &answer); err != nil {
		t.Fatal(err)
	}
	key, _ := answer.Value.Key.(string)
	if key == "" {
		t.Fatalf("the create answer shows no key: %s", r)
	}
	return door{ID: int64(answer.Value.Id.(float64)), BusinessID: loc, Key: key}
}

// member creates a member of the location with a card and returns its id.
func member(t *testing.T, a *apitest.API, loc int64, card string, extra map[string]any) int64 {
	t.Helper()
	n := a.Next()
	body := map[string]any{"BusinessId": loc, "FullName": fmt.Sprintf("Member %d", n), "Email": fmt.Sprintf("m%d@example.com", n),
		"AccessPincode": fmt.Sprintf("%06d", 100000+n), "AccessCardId": card}
	for k, v := range extra {
		body[k] = v
	}
	return a.Create(a.AdminToken(), checkin.Coworkers.Path, body)
}

// decide asks the door route with a card and returns the status.
func decide(t *testing.T, a *apitest.API, key, card string) int {
	t.Helper()
	return a.Do("POST", doors.DecidePath, key, map[string]any{"accessCardId": card}).Status
}

// count runs a SQL count.
func count(t *testing.T, a *apitest.API, query string, args ...any) int {
	t.Helper()
	if a.Dialect == "postgres" {
		query = rebind(query)
	}
	var n int
	if err := a.SQL().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func rebind(q string) string {
	out, n := []byte{}, 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = append(out, fmt.Sprintf("$%d", n)...)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}
