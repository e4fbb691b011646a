package httpapi_test

import (
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// maxPages bounds the service's SQLite file (PRAGMA max_page_count, set on
// each of its connections), so that a test can fill it as a full disk is.
const maxPages = 400

// fullDisk is a service on a SQLite file that another connection, not
// bounded, can fill up to maxPages and empty again.
type fullDisk struct {
	*apitest.API
	raw  *sql.DB
	logs *apitest.LogBuffer
}

func newFullDisk(t *testing.T) *fullDisk {
	path := filepath.Join(t.TempDir(), "c.db")
	logs := &apitest.LogBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	a := apitest.NewOn(t, "sqlite", path+"?_pragma=max_page_count("+fmt.Sprint(maxPages)+")", checkin.NewManualClock(storetest.Start),
		func(s *httpapi.Server) { s.Log = logger })
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	if _, err := raw.Exec("CREATE TABLE filler (b BLOB)"); err != nil {
		t.Fatal(err)
	}
	return &fullDisk{API: a, raw: raw, logs: logs}
}

// fill takes every page left up to maxPages.
func (d *fullDisk) fill(t *testing.T) {
	t.Helper()
	for range maxPages {
		var pages, free int
		d.raw.QueryRow("PRAGMA page_count").Scan(&pages)
		d.raw.QueryRow("PRAGMA freelist_count").Scan(&free)
		if pages >= maxPages && free == 0 {
			return
		}
		if _, err := d.raw.Exec("INSERT INTO filler VALUES (randomblob(3000))"); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("the file did not fill up")
}

// free gives the space back, as an operator deleting old files does.
func (d *fullDisk) free(t *testing.T) {
	t.Helper()
	if _, err := d.raw.Exec("DELETE FROM filler"); err != nil {
		t.Fatal(err)
	}
}

// TestAFullDiskIsAnOutage: on a full disk check-ins, token grants and admin
// writes are answered 503 with Retry-After, never 500; /readyz fails (its
// probe writes); the failure is logged once a minute, not once a request;
// and once space returns everything works again by itself, every check-in
// answered as successful stored and the file intact.
func TestAFullDiskIsAnOutage(t *testing.T) {
	t.Parallel()
	d := newFullDisk(t)
	admin := d.AdminToken()
	loc := d.Create(admin, businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
	const members = 30
	for i := range members {
		d.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": fmt.Sprint("Member ", i),
			"Email": fmt.Sprintf("m%d@example.com", i), "AccessPincode": fmt.Sprint(100000 + i)})
	}
	d.Want(d.Do("GET", "/readyz", "", nil), http.StatusOK, "/readyz before")
	d.fill(t)

	checkedIn := 0
	checkIn := func(i int) *apitest.Response {
		r := d.Do("POST", "/api/public/checkin", "", map[string]any{"pincode": fmt.Sprint(100000 + i)}, "Host: acme.localhost")
		if r.Status == http.StatusOK && strings.Contains(string(r.Body), `"wasSuccessful":true`) {
			checkedIn++
		}
		return r
	}
	for i := range members {
		r := checkIn(i)
		if r.Status != http.StatusOK && (r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") != "10") {
			t.Errorf("check-in %d on a full disk: got %s, Retry-After %q; want 200 or 503 with Retry-After: 10", i, r, r.Header.Get("Retry-After"))
		}
	}
	if checkedIn == members {
		t.Fatal("every check-in succeeded on the full disk: the test fills nothing")
	}
	// Token grants and admin writes: 503 when they need room, never 500.
	refusedWrites := 0
	for i := range 20 {
		for _, r := range []*apitest.Response{
			d.Do("POST", "/api/token", "", fmt.Sprintf("grant_type=password&username=nobody%d@example.com&password=wrong-password", i),
				"Content-Type: application/x-www-form-urlencoded"),
			d.Do("POST", coworkersPath, admin, map[string]any{"BusinessId": loc, "FullName": strings.Repeat("New member ", 100),
				"Email": fmt.Sprintf("new%d@example.com", i), "AccessPincode": fmt.Sprint(200000 + i)}),
		} {
			switch {
			case r.Status == http.StatusServiceUnavailable && r.Header.Get("Retry-After") == "10":
				refusedWrites++
			case r.Status >= 500:
				t.Errorf("on a full disk: got %s, Retry-After %q; want 503 with Retry-After: 10", r, r.Header.Get("Retry-After"))
			}
		}
	}
	if refusedWrites == 0 {
		t.Error("no token grant or admin write was refused on the full disk")
	}
	if r := d.Do("GET", "/readyz", "", nil); r.Status != http.StatusServiceUnavailable || !strings.Contains(string(r.Body), "refuses changes (disk_full)") {
		t.Errorf("/readyz on a full disk: got %s, want 503 saying why", r)
	}
	metrics := string(d.Want(d.Do("GET", "/metrics", "", nil), http.StatusOK, "/metrics").Body)
	for _, want := range []string{"checkin_storage_unavailable 1\n", `checkin_storage_failures_total{reason="disk_full"} `} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics has no %q", want)
		}
	}
	logs := d.logs.String()
	if n := strings.Count(logs, "storage failing"); n != 1 || strings.Contains(logs, "storage still failing") || strings.Contains(logs, "level=ERROR msg=request") {
		t.Errorf("a minute of failures logged %d first lines (want 1), and no error line per request:\n%s", n, logs)
	}
	if !strings.Contains(logs, "database or disk is full") || !strings.Contains(logs, "reason=disk_full") {
		t.Errorf("the storage line does not say what failed:\n%s", logs)
	}
	d.Clock.Advance(time.Minute)
	checkIn(members - 1)
	checkIn(members - 2)
	if n := strings.Count(d.logs.String(), "storage still failing"); n != 1 {
		t.Errorf("a minute later: %d lines, want 1", n)
	}

	d.free(t)
	d.Want(d.Do("GET", "/readyz", "", nil), http.StatusOK, "/readyz once space returns")
	for i := range members {
		if r := checkIn(i); r.Status != http.StatusOK {
			t.Errorf("check-in %d once space returns: got %s", i, r)
		}
	}
	if !strings.Contains(d.logs.String(), "storage recovered") {
		t.Errorf("the recovery is not logged:\n%s", d.logs)
	}
	if m := string(d.Do("GET", "/metrics", "", nil).Body); !strings.Contains(m, "checkin_storage_unavailable 0\n") {
		t.Error("checkin_storage_unavailable is not 0 after recovery")
	}
	var open, integrity = 0, ""
	d.raw.QueryRow("SELECT count(*) FROM checkins WHERE to_time IS NULL").Scan(&open)
	d.raw.QueryRow("PRAGMA integrity_check").Scan(&integrity)
	if open != members || integrity != "ok" {
		t.Errorf("after recovery: %d open check-ins (want %d, one a member), integrity %q", open, members, integrity)
	}
}
