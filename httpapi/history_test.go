package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// TestDeletingALocationKeepsItsHistory: a location with check-ins or
// failed check-ins cannot be deleted (409, naming what it holds); its
// failed check-ins are never deleted as a side effect.
func TestDeletingALocationKeepsItsHistory(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		for _, tc := range []struct {
			name  string
			fill  func(loc int64)
			want  int
			holds string
		}{
			{"empty", func(int64) {}, http.StatusOK, ""},
			{"failed check-ins", func(loc int64) {
				a.AddFailedCheckin(&checkin.FailedCheckin{BusinessID: loc, Description: checkin.StringPtr("No access")})
			}, http.StatusConflict, "1 failed check-ins"},
			{"settings only", func(loc int64) {
				a.Create(admin, settingsPath, map[string]any{"BusinessId": loc, "Name": checkin.SettingDeviceCountLimit, "Value": "3"})
			}, http.StatusOK, ""},
			{"check-ins", func(loc int64) {
				member := a.Create(admin, coworkersPath, a.Sample("Coworker", loc))
				stay := a.Create(admin, checkinsPath, map[string]any{"BusinessId": loc, "CoworkerId": member})
				_ = stay
			}, http.StatusConflict, "1 check-ins, 1 members"},
		} {
			loc := a.NewLocation()
			tc.fill(loc)
			r := a.Do("DELETE", fmt.Sprintf("%s/%d", businessesPath, loc), admin, nil)
			if r.Status != tc.want || !strings.Contains(r.String(), tc.holds) {
				t.Errorf("%s: got %s, want %d naming %q", tc.name, r, tc.want, tc.holds)
			}
		}
		var n int
		if err := a.SQL().QueryRow("SELECT count(*) FROM failed_checkins").Scan(&n); err != nil || n != 1 {
			t.Errorf("failed check-ins kept: %d (%v), want 1", n, err)
		}
		// The database refuses it too, whatever the service checks first.
		var loc int64
		if err := a.SQL().QueryRow("SELECT business_id FROM failed_checkins").Scan(&loc); err != nil {
			t.Fatal(err)
		}
		conn, err := a.SQL().Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if a.Dialect == "sqlite" {
			if _, err := conn.ExecContext(context.Background(), "PRAGMA foreign_keys = ON"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := conn.ExecContext(context.Background(), rebind(a, "DELETE FROM businesses WHERE id = ?"), loc); err == nil {
			t.Errorf("the database deleted a location with failed check-ins")
		}
	})
}

// TestSweepAndListGoOnPastABadRow: a check-in row that cannot be read is
// logged and skipped; the automatic check-out closes the other locations'
// check-ins, and the list answers the other rows.
func TestSweepAndListGoOnPastABadRow(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		var stays []int64
		for range 2 {
			loc := a.NewLocation()
			member := a.Create(admin, coworkersPath, a.Sample("Coworker", loc))
			stays = append(stays, a.Create(admin, checkinsPath, map[string]any{"BusinessId": loc, "CoworkerId": member}))
		}
		// The first location's row is broken as no version of the service writes it.
		if _, err := a.SQL().Exec(rebind(a, "UPDATE checkins SET business_day = '2026-00-00' WHERE id = ?"), stays[0]); err != nil {
			t.Fatal(err)
		}
		a.Clock.Advance(48 * 3600e9)
		n, err := a.DB.Sweep(context.Background())
		if n != 1 {
			t.Errorf("sweep closed %d (%v), want the good check-in closed", n, err)
		}
		if got := a.Get(admin, fmt.Sprintf("%s/%d", checkinsPath, stays[1]))["ToTime"]; got == nil {
			t.Errorf("the good location's check-in is still open")
		}
		if a.Dialect != "sqlite" {
			return // PostgreSQL's typed columns cannot hold an unreadable time
		}
		if _, err := a.SQL().Exec("UPDATE checkins SET last_activity = 'garbage' WHERE id = ?", stays[0]); err != nil {
			t.Fatal(err)
		}
		page := a.Get(admin, checkinsPath)
		if recs := page["Records"].([]any); len(recs) != 1 {
			t.Errorf("list with a bad row: %v, want the good row", recs)
		}
	})
}

// rebind writes a query's ? placeholders as the test database's dialect wants.
func rebind(a *apitest.API, query string) string {
	if a.Dialect != "postgres" {
		return query
	}
	for i := 1; strings.Contains(query, "?"); i++ {
		query = strings.Replace(query, "?", fmt.Sprintf("$%d", i), 1)
	}
	return query
}
