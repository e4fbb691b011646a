package sqlstore_test

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

func TestCRUDAndLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		ctx := context.Background()
		b := checkin.Businesses.New()
		b.Name, b.WebAddress, b.TimeZone = "Acme", "Acme", "Europe/London"
		bid := storetest.Must(db.Businesses().Create(ctx, b))
		got := storetest.Must(db.Businesses().Find(ctx, bid))
		if got.WebAddress != "acme" || got.NetworkID == 0 || got.UniqueID == "" || !got.CreatedOn.Equal(storetest.Start) {
			t.Fatalf("business = %+v", got)
		}
		team := &checkin.Team{BusinessID: bid, Name: "Blue"}
		tid := storetest.Must(db.Teams().Create(ctx, team))
		plan := checkin.Tariffs.New()
		plan.BusinessID, plan.Name = bid, "Hot desk"
		pid := storetest.Must(db.Tariffs().Create(ctx, plan))
		c := checkin.Coworkers.New()
		c.BusinessID, c.FullName, c.Email, c.AccessPincode, c.AccessCardID = bid, "Jane Doe", "Jane@Example.com", "1234", "card-1, CARD-2"
		c.TariffID, c.Teams = &pid, []int64{tid}
		cid := storetest.Must(db.Coworkers().Create(ctx, c))
		gotC := storetest.Must(db.Coworkers().Find(ctx, cid))
		if gotC.UserID == 0 || gotC.Email != "jane@example.com" || gotC.AccessCardID != "CARD-1,CARD-2" || len(gotC.Teams) != 1 {
			t.Fatalf("coworker = %+v", gotC)
		}
		u := storetest.Must(db.Users().Find(ctx, gotC.UserID))
		u.Devices = "aa-bb-cc-dd-ee-ff"
		if err := db.Users().Replace(ctx, u); err != nil {
			t.Fatal(err)
		}
		u = storetest.Must(db.Users().Find(ctx, u.ID))
		if u.Devices != "AA:BB:CC:DD:EE:FF" {
			t.Fatalf("devices = %q", u.Devices)
		}
		clock.Advance(time.Hour)
		ch := checkin.Checkins.New()
		ch.BusinessID, ch.CoworkerID = bid, &cid
		chid := storetest.Must(db.Checkins().Create(ctx, ch))
		gotCh := storetest.Must(db.Checkins().Find(ctx, chid))
		if gotCh.FromTimeLocal == nil || gotCh.FromTimeLocal.Hour() != 11 || *gotCh.TeamsAtTheTimeOfCheckin != "Blue" {
			t.Fatalf("checkin = %+v", gotCh)
		}
		if _, err := db.Checkins().Create(ctx, ch); checkin.ErrorCode(err) != checkin.ECONFLICT {
			t.Fatalf("second open check-in: err = %v", err)
		}
		for query, want := range map[string]int{
			"Coworker_FullName=jane":                  1,
			"Coworker_FullName=zed":                   0,
			"Coworker_Business=" + itoa(bid):          1,
			"Coworker_Business_Name=acm":              1,
			"from_Coworker_CreatedOn=2026-06-15":      1,
			"to_Coworker_CreatedOn=2026-06-14":        0,
			"id=[" + itoa(cid) + ",999]":              1,
			"Coworker_Active=true":                    1,
			"Coworker_Tariff_Name=hot":                1,
			"Coworker_CreatedOn=2026-06-15":           1,
			"Coworker_CreatedOn=2026-06-15T09:00:00Z": 1,
		} {
			v, _ := url.ParseQuery(query)
			q, err := checkin.Coworkers.ParseListQuery(v)
			if err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			_, total, err := db.Coworkers().List(ctx, q)
			if err != nil || total != want {
				t.Errorf("%s: total = %d, err = %v; want %d", query, total, err, want)
			}
		}
		if err := db.Businesses().Delete(ctx, bid); checkin.ErrorCode(err) != checkin.ECONFLICT {
			t.Fatalf("delete used business: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
