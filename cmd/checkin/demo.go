package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
)

// The demo's fixed values, so that the README's examples work as written.
const (
	demoLocation      = "demo"
	demoAdminEmail    = "admin@demo.example"
	demoAdminPassword = "checkin-demo"
)

type demoMember struct {
	name, email, password, pincode, card, device string
}

var demoMembers = []demoMember{
	{"Jane Doe", "jane@demo.example", "jane-password", "246810", "CARD-0001", "AA:BB:CC:00:00:01"},
	{"Sam Lee", "sam@demo.example", "sam-password", "135790", "CARD-0002", "AA:BB:CC:00:00:02"},
	{"Alex Kim", "alex@demo.example", "alex-password", "112358", "CARD-0003", "AA:BB:CC:00:00:03"},
}

// seedDemo fills an empty database with a demo location and prints how to
// try it. On a database that already has locations it only prints the guide.
func seedDemo(ctx context.Context, db *sqlstore.DB, cfg config, w io.Writer) error {
	q := checkin.Businesses.DefaultListQuery()
	q.Size = 1
	_, total, err := db.Businesses().List(ctx, q)
	if err != nil {
		return err
	}
	if total == 0 {
		if err := createDemo(ctx, db); err != nil {
			return err
		}
		fmt.Fprintln(w, "Seeded a demo location on the empty database.")
	} else {
		fmt.Fprintln(w, "The database already has locations; the demo was not seeded again.")
	}
	printDemoGuide(w, cfg)
	return nil
}

func createDemo(ctx context.Context, db *sqlstore.DB) error {
	if _, err := db.EnsureAdmin(ctx, demoAdminEmail, demoAdminPassword); err != nil {
		return err
	}
	b := checkin.Businesses.New()
	b.Name, b.WebAddress, b.TimeZone = "Demo Coworking", demoLocation, "Europe/London"
	businessID, err := db.Businesses().Create(ctx, b)
	if err != nil {
		return err
	}
	team := checkin.Teams.New()
	team.BusinessID, team.Name = businessID, "Early birds"
	teamID, err := db.Teams().Create(ctx, team)
	if err != nil {
		return err
	}
	plan := checkin.Tariffs.New()
	plan.BusinessID, plan.Name = businessID, "Hot desk"
	planID, err := db.Tariffs().Create(ctx, plan)
	if err != nil {
		return err
	}
	for _, m := range demoMembers {
		c := checkin.Coworkers.New()
		c.BusinessID, c.FullName, c.Email, c.Password = businessID, m.name, m.email, m.password
		c.AccessPincode, c.AccessCardID, c.TariffID, c.Teams = m.pincode, m.card, &planID, []int64{teamID}
		id, err := db.Coworkers().Create(ctx, c)
		if err != nil {
			return err
		}
		saved, err := db.Coworkers().Find(ctx, id)
		if err != nil {
			return err
		}
		u, err := db.Users().Find(ctx, saved.UserID)
		if err != nil {
			return err
		}
		u.Devices = m.device
		if err := db.Users().Replace(ctx, u); err != nil {
			return err
		}
	}
	token := checkin.AccessTokens.New()
	token.BusinessID, token.AccessCode, token.MinutesIncluded, token.Description = businessID, "GUEST-2026", 120, "Demo guest Wi-Fi code"
	_, err = db.AccessTokens().Create(ctx, token)
	return err
}

func printDemoGuide(w io.Writer, cfg config) {
	base := "http://" + cfg.addr
	if strings.HasPrefix(cfg.addr, ":") {
		base = "http://localhost" + cfg.addr
	}
	fmt.Fprintf(w, `
Demo location %q (Demo Coworking, Europe/London) is the default location.
Administrator: %s / %s

Check in (no subdomain needed: --default-location is %q):
  curl -s %[5]s/api/public/checkin -H 'Content-Type: application/json' -d '{"pincode":"246810"}'
  curl -s %[5]s/api/public/checkin -H 'Content-Type: application/json' -d '{"accessCardId":"CARD-0002"}'
  curl -s %[5]s/api/public/checkin -H 'Content-Type: application/json' -d '{"mac":"aa-bb-cc-00-00-03"}'
  curl -s %[5]s/api/public/checkin -H 'Content-Type: application/json' -d '{"email":"jane@demo.example","password":"jane-password"}'
  curl -s %[5]s/api/public/checkin -H 'Content-Type: application/json' -d '{"token":"GUEST-2026","mac":"11:22:33:44:55:66"}'

Members: Jane Doe (pincode 246810, card CARD-0001), Sam Lee (135790, CARD-0002),
Alex Kim (112358, CARD-0003); each has a device AA:BB:CC:00:00:0N and the plan "Hot desk".

Admin API:
  TOKEN=$(curl -s %[5]s/api/token -d grant_type=password -d username=%[2]s -d password=%[3]s | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  curl -s -H "Authorization: Bearer $TOKEN" %[5]s/api/spaces/checkins
  curl -s -H "Authorization: Bearer $TOKEN" %[5]s/api/spaces/failedcheckins

`, demoLocation, demoAdminEmail, demoAdminPassword, demoLocation, base)
}
