package sqlstore_test

import (
	"context"
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
	dsn := storetest.DSN(t, "postgres")
	clock := checkin.NewManualClock(storetest.Start)
	db, err := sqlstore.Open(ctx, dsn, clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
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
	defer conn.Close()
	var ids []int64
	rows, err := conn.QueryContext(ctx, "SELECT id FROM coworkers ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids[:250] {
		err := db.Decide(ctx, func(checkin.DecisionView) ([]checkin.Effect, error) {
			return []checkin.Effect{checkin.StartCheckin{Checkin: &checkin.Checkin{CoworkerID: &id, BusinessID: bid,
				Source: checkin.SourceDoorAccess, FromTime: checkin.NewTime(clock.Now())}}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	query := strings.ReplaceAll(sqlstore.MemberSelectForTest, "?", "$1") + " WHERE c.id = $1"
	for _, stmt := range []string{"SET plan_cache_mode = force_generic_plan", "PREPARE member(bigint) AS " + query} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	rows, err = conn.QueryContext(ctx, fmt.Sprintf("EXPLAIN EXECUTE member(%d)", ids[260]))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if p := strings.Join(plan, "\n"); strings.Contains(p, "checkins_open_business") {
		t.Errorf("a member's read scans the location's open check-ins:\n%s", p)
	}
}
