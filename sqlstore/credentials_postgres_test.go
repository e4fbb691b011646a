package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// found is what a decision on db finds by each credential: the members
// holding card and pincode at loc, and the people with device mac.
func found(t *testing.T, db *sqlstore.DB, loc *checkin.Business, card, pincode, mac string) (cards, pincodes, devices int) {
	t.Helper()
	err := db.Decide(context.Background(), func(v checkin.DecisionView) ([]checkin.Effect, error) {
		c, err := v.MembersByCard(loc.NetworkID, card)
		if err != nil {
			return nil, err
		}
		p, err := v.MembersByPincode(loc.ID, pincode)
		if err != nil {
			return nil, err
		}
		d, err := v.PersonsByDevice(mac)
		cards, pincodes, devices = len(c), len(p), len(d)
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return cards, pincodes, devices
}

// TestCredentialsHeardByAnotherInstance: on PostgreSQL a lookup of a
// credential that the instance's filter does not hold reads no table, so
// a card, a pincode and a device written on one instance must be held by
// that instance's filter before its answer (before the COMMIT), and reach
// the other's filter by the table's trigger; each instance's decision then
// finds the member.
func TestCredentialsHeardByAnotherInstance(t *testing.T) {
	a, b, _, locID := twoInstances(t)
	ctx := context.Background()
	loc := storetest.Must(a.Businesses().Find(ctx, locID))
	const card, pincode, mac = "HEARD\n1", "482915", "02:00:00:00:48:29" // a newline, which joins throttling keys
	if c, p, d := found(t, b, loc, card, pincode, mac); c+p+d != 0 {
		t.Fatalf("before the member: found %d, %d, %d", c, p, d)
	}
	u := checkin.Users.New()
	u.Email, u.FullName, u.Devices = "heard@example.com", "Heard Member", mac
	storetest.Must(a.Users().Create(ctx, u))
	c := checkin.Coworkers.New()
	c.BusinessID, c.FullName, c.Email = locID, "Heard Member", "heard@example.com"
	c.AccessCardID, c.AccessPincode, c.Active = card, pincode, true
	id := storetest.Must(a.Coworkers().Create(ctx, c))
	for _, cred := range []string{"c" + card, "p" + pincode, "d" + mac} {
		if !a.CredentialHeldForTest(cred) {
			t.Errorf("the instance that wrote %q does not hold it at once", cred)
		}
	}
	if c, p, d := found(t, a, loc, card, pincode, mac); c != 1 || p != 1 || d != 1 {
		t.Errorf("the instance that wrote the member finds %d, %d, %d, want 1 each", c, p, d)
	}
	eventually(t, "the other instance to hear of the credentials", func() bool {
		return b.CredentialHeldForTest("c"+card) && b.CredentialHeldForTest("p"+pincode) && b.CredentialHeldForTest("d"+mac)
	})
	if c, p, d := found(t, b, loc, card, pincode, mac); c != 1 || p != 1 || d != 1 {
		t.Errorf("the other instance finds %d, %d, %d, want 1 each", c, p, d)
	}
	const newPincode = "739164" // a pincode changed is sent as a new one is
	if err := a.Coworkers().Update(ctx, id, func(c *checkin.Coworker) error { c.AccessPincode = newPincode; return nil }); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the other instance to hear of the new pincode", func() bool { return b.CredentialHeldForTest("p" + newPincode) })
	if _, p, _ := found(t, b, loc, card, newPincode, mac); p != 1 {
		t.Errorf("the other instance finds %d members by the new pincode, want 1", p)
	}
}

// TestTokenDevicesHeardByAnotherInstance: a token's device is a
// credential of its own kind ('t'): held by the instance that registers it
// before its answer, and by the other once the trigger's notification
// reaches it; each then finds the token by the MAC.
func TestTokenDevicesHeardByAnotherInstance(t *testing.T) {
	a, b, _, locID := twoInstances(t)
	ctx := context.Background()
	const code, mac = "HEARD-TOKEN", "02:00:00:00:71:05"
	if err := a.SeedTokens(ctx, locID, []sqlstore.SeedToken{{Code: code, Minutes: 60}}); err != nil {
		t.Fatal(err)
	}
	tokens := func(db *sqlstore.DB) int {
		var n int
		err := db.Decide(ctx, func(v checkin.DecisionView) ([]checkin.Effect, error) {
			ts, err := v.TokensByDevice(locID, mac)
			n = len(ts)
			return nil, err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := tokens(b); n != 0 {
		t.Fatalf("before the device: %d tokens", n)
	}
	err := a.Decide(ctx, func(v checkin.DecisionView) ([]checkin.Effect, error) {
		tok, err := v.TokenByCode(locID, code)
		if err != nil || tok == nil {
			return nil, fmt.Errorf("token %v, %v", tok, err)
		}
		return []checkin.Effect{checkin.AddTokenDevice{Token: tok, MAC: mac}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !a.CredentialHeldForTest("t" + mac) {
		t.Errorf("the instance that registered the device does not hold it at once")
	}
	if n := tokens(a); n != 1 {
		t.Errorf("the instance that registered the device finds %d tokens, want 1", n)
	}
	eventually(t, "the other instance to hear of the device", func() bool { return b.CredentialHeldForTest("t" + mac) })
	if n := tokens(b); n != 1 {
		t.Errorf("the other instance finds %d tokens, want 1", n)
	}
}

// TestHearOthers: once HearOthers returns, this instance holds every
// credential another instance committed before the call.
func TestHearOthers(t *testing.T) {
	a, b, _, locID := twoInstances(t)
	ctx := context.Background()
	for i := range 20 {
		c := checkin.Coworkers.New()
		card := "HEAR-" + string(rune('A'+i))
		c.BusinessID, c.FullName, c.Email, c.AccessCardID, c.Active = locID, "Member "+card, card+"@example.com", card, true
		storetest.Must(a.Coworkers().Create(ctx, c))
		if err := b.HearOthers(ctx); err != nil {
			t.Fatal(err)
		}
		if !b.CredentialHeldForTest("c" + card) {
			t.Fatalf("round %d: after HearOthers the other instance does not hold %s", i, card)
		}
	}
}
