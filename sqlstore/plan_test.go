package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestMemberReadFindsItsOwnOpenCheckin: on PostgreSQL, reading a member
// finds their open check-in by its own index, even when the statistics
// say that hardly any check-in is open (a new database, or a morning): it
// never reads all the open check-ins of the location (migration 0061). The
// plan checked is the generic one, which prepared statements and
// checkin_lock_member use.
func TestMemberReadFindsItsOwnOpenCheckin(t *testing.T) {
	ctx := context.Background()
	conn, ids := checkedInWithoutStatistics(t)
	query := sqlstore.MemberSelectForTest + " WHERE c.id = $1"
	for _, stmt := range []string{"SET plan_cache_mode = force_generic_plan", "PREPARE member(bigint) AS " + query} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	plan := column[string](t, conn, fmt.Sprintf("EXPLAIN EXECUTE member(%d)", ids[260]))
	if p := strings.Join(plan, "\n"); strings.Contains(p, "checkins_open_business") {
		t.Errorf("a member's read scans the location's open check-ins:\n%s", p)
	}
}

// TestEventsWaitingFoundByTheirIndex: on PostgreSQL, the dispatcher's probe
// for events not yet dispatched reads the index of those (none here), not
// every event, even when events have no statistics yet.
func TestEventsWaitingFoundByTheirIndex(t *testing.T) {
	conn, _ := checkedInWithoutStatistics(t)
	plan := strings.Join(column[string](t, conn, "EXPLAIN "+sqlstore.EventsWaitingForTest), "\n")
	if !strings.Contains(plan, "events_undispatched") {
		t.Errorf("the probe for events waiting reads every event:\n%s", plan)
	}
}

// checkedInWithoutStatistics returns a connection to a PostgreSQL store
// whose members are analysed, and 250 of them checked in (with their
// events), with no statistics on check-ins or events; and the members' ids.
func checkedInWithoutStatistics(t *testing.T) (*sql.Conn, []int64) {
	ctx := context.Background()
	clock := checkin.NewManualClock(storetest.Start)
	db, dsn := storetest.OpenDSN(t, "postgres", clock)
	b := checkin.Businesses.New()
	b.Name, b.WebAddress, b.TimeZone = "Busy", "busy", "Europe/London"
	bid := storetest.Must(db.Businesses().Create(ctx, b))
	var members []sqlstore.SeedMember
	for i := range 300 {
		members = append(members, sqlstore.SeedMember{FullName: fmt.Sprint("Member ", i), Email: fmt.Sprintf("m%d@example.com", i),
			Pincode: fmt.Sprint(100000 + i), Card: fmt.Sprint("CARD", i)})
	}
	if err := db.SeedMembers(ctx, bid, 0, 0, storetest.OldPasswordHash("x"), members); err != nil {
		t.Fatal(err)
	}
	if err := db.AnalyzeSeeded(ctx); err != nil { // check-ins are left without statistics
		t.Fatal(err)
	}
	conn, err := storetest.SQL(t, dsn).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ids := column[int64](t, conn, "SELECT id FROM coworkers ORDER BY id")
	for _, id := range ids[:250] {
		err := db.Decide(ctx, func(checkin.DecisionView) ([]checkin.Effect, error) {
			return []checkin.Effect{checkin.StartCheckin{Checkin: &checkin.Checkin{CoworkerID: &id, BusinessID: bid,
				Source: checkin.SourceDoorAccess, FromTime: checkin.NewTime(clock.Now())}}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return conn, ids
}

// column runs a query of one column on conn and returns its values.
func column[T any](t *testing.T, conn *sql.Conn, query string) []T {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
