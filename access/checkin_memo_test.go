package access_test

import (
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestMemoSeesEveryChange: on SQLite a check-in that finds everything it
// needs in the store's memo is answered without SQL (sqlstore/memo.go).
// For each kind of change an operator or the sweep makes, Jane checks in
// until she is answered from memory, the change is made, and the next
// check-in sees it. On PostgreSQL, which keeps no memo, the same holds.
func TestMemoSeesEveryChange(t *testing.T) {
	card, pincode, device := `{"accessCardId":"CARD-1"}`, `{"pincode":"1234"}`, `{"mac":"AA:BB:CC:DD:EE:01"}`
	replaceJane := func(f *fixture, edit func(c *checkin.Coworker)) {
		c := storetest.Must(f.db.Coworkers().Find(f.ctx, f.jane.ID))
		edit(c)
		if err := f.db.Coworkers().Replace(f.ctx, c); err != nil {
			f.t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		body   string
		change func(f *fixture)
		want   string // the refusal code after the change; "" for a success
		// open is how many check-ins Jane has, open and all, afterwards
		open, checkins int
	}{
		{"member deactivated", pincode, func(f *fixture) { replaceJane(f, func(c *checkin.Coworker) { c.Active = false }) },
			checkin.CodeNoAccessToSpace, 1, 1},
		{"card taken away", card, func(f *fixture) { replaceJane(f, func(c *checkin.Coworker) { c.AccessCardID = "card-2" }) },
			checkin.CodeInvalidCardNumber, 1, 1},
		{"pincode changed", pincode, func(f *fixture) { replaceJane(f, func(c *checkin.Coworker) { c.AccessPincode = "98765" }) },
			checkin.CodeInvalidCredentials, 1, 1},
		{"device removed", device, func(f *fixture) {
			u := storetest.Must(f.db.Users().Find(f.ctx, f.jane.UserID))
			u.Devices = ""
			if err := f.db.Users().Replace(f.ctx, u); err != nil {
				f.t.Fatal(err)
			}
		}, checkin.CodeNoAccessToSpace, 1, 1},
		{"plan deactivated", card, func(f *fixture) {
			p := storetest.Must(f.db.Tariffs().Find(f.ctx, f.planID))
			p.Active = false
			if err := f.db.Tariffs().Replace(f.ctx, p); err != nil {
				f.t.Fatal(err)
			}
		}, checkin.CodeNoAccessToSpace, 1, 1},
		{"automatic check-in disabled", device, func(f *fixture) { f.set(checkin.SettingDisableAutoChecking, "True") },
			checkin.CodeNoAccessToSpace, 1, 1},
		{"check-in closed by an operator", card, func(f *fixture) {
			c := f.open(f.jane.ID)[0]
			c.ToTime = checkin.TimePtr(f.clock.Now())
			if err := f.db.Checkins().Replace(f.ctx, c); err != nil {
				f.t.Fatal(err)
			}
		}, "", 1, 2},
		{"check-in deleted by an operator", device, func(f *fixture) {
			if err := f.db.Checkins().Delete(f.ctx, f.open(f.jane.ID)[0].ID); err != nil {
				f.t.Fatal(err)
			}
		}, "", 1, 1},
		{"check-in closed by the daily cut-off", pincode, func(f *fixture) {
			f.clock.Advance(24 * time.Hour)
			if _, err := f.db.Sweep(f.ctx); err != nil {
				f.t.Fatal(err)
			}
		}, "", 1, 2},
		{"the device given an access token", device, func(f *fixture) {
			tok := f.token("GUEST-1", 60, nil, nil)
			_, c := f.post(`{"token":"GUEST-1","mac":"AA:BB:CC:DD:EE:01"}`)
			if !c.WasSuccessful {
				f.t.Fatalf("token check-in refused: %+v", c)
			}
			_ = tok
		}, "", 1, 2}, // Jane's own, and the token's
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eachFixture(t, func(t *testing.T, f *fixture) {
				for i := 0; ; i++ {
					before := f.db.MemoDecisions()
					if _, c := f.post(tc.body); !c.WasSuccessful {
						t.Fatalf("check-in %d before the change refused: %+v", i+1, c)
					}
					if !f.db.IsSQLite() || f.db.MemoDecisions() > before {
						break // answered from memory
					}
					if i == 3 {
						t.Fatalf("on SQLite, %d check-ins in a row and none answered from memory", i+1)
					}
				}
				tc.change(f)
				if _, c := f.post(tc.body); code(c) != tc.want {
					t.Errorf("after the change: %q, want %q", code(c), tc.want)
				}
				if got := len(f.open(f.jane.ID)); got != tc.open && tc.name != "the device given an access token" {
					t.Errorf("Jane has %d open check-ins, want %d", got, tc.open)
				}
				if got := len(f.checkins()); got != tc.checkins {
					t.Errorf("%d check-ins stored, want %d", got, tc.checkins)
				}
			})
		})
	}
}

// TestMemoSeesNewCredentials: on SQLite a card, pincode or device no one
// holds is refused from memory, without SQL (the memo's filter of the
// credentials rows hold); once a member or a token is given it, the next
// check-in with it finds them. On PostgreSQL the same holds, from the
// database.
func TestMemoSeesNewCredentials(t *testing.T) {
	const newMAC = "AA:BB:CC:DD:EE:77"
	tests := []struct {
		name   string
		body   string
		refuse string // the refusal code before the change
		change func(f *fixture)
	}{
		{"a card given", `{"accessCardId":"NEW-CARD"}`, checkin.CodeInvalidCardNumber, func(f *fixture) {
			c := storetest.Must(f.db.Coworkers().Find(f.ctx, f.jane.ID))
			c.AccessCardID = "CARD-1,NEW-CARD"
			if err := f.db.Coworkers().Replace(f.ctx, c); err != nil {
				f.t.Fatal(err)
			}
		}},
		{"a pincode given", `{"pincode":"55555"}`, checkin.CodeInvalidCredentials, func(f *fixture) {
			c := storetest.Must(f.db.Coworkers().Find(f.ctx, f.jane.ID))
			c.AccessPincode = "55555"
			if err := f.db.Coworkers().Replace(f.ctx, c); err != nil {
				f.t.Fatal(err)
			}
		}},
		{"a device added", `{"mac":"` + newMAC + `"}`, checkin.CodeNoAccessToSpace, func(f *fixture) {
			u := storetest.Must(f.db.Users().Find(f.ctx, f.jane.UserID))
			u.Devices += "," + newMAC
			if err := f.db.Users().Replace(f.ctx, u); err != nil {
				f.t.Fatal(err)
			}
		}},
		{"a token used from the device", `{"mac":"` + newMAC + `"}`, checkin.CodeNoAccessToSpace, func(f *fixture) {
			f.token("GUEST-7", 60, nil, nil)
			if _, c := f.post(`{"token":"GUEST-7","mac":"` + newMAC + `"}`); !c.WasSuccessful {
				f.t.Fatalf("token check-in refused: %+v", c)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eachFixture(t, func(t *testing.T, f *fixture) {
				for range 2 { // the location and its settings, kept
					if _, c := f.post(`{"pincode":"` + janePincode + `"}`); !c.WasSuccessful {
						t.Fatalf("Jane's check-in refused: %+v", c)
					}
				}
				before := f.db.MemoDecisions()
				if _, c := f.post(tc.body); code(c) != tc.refuse {
					t.Fatalf("before the change: %q, want %q", code(c), tc.refuse)
				}
				if f.db.IsSQLite() && f.db.MemoDecisions() == before {
					t.Errorf("on SQLite, a credential no one holds was looked up in the database")
				}
				tc.change(f)
				if _, c := f.post(tc.body); !c.WasSuccessful {
					t.Errorf("after the change: refused %q", code(c))
				}
			})
		})
	}
}

// TestMemoKeepsAMemberTrueThroughTheirCheckins: on SQLite a change to a
// member's check-ins leaves their lookups by every credential kept; the
// write that made it reads the member again, so the next check-in by any
// credential is answered from memory, and sees the change. Jane's
// check-in is closed by an operator, she checks in again by device, then
// by card and pincode: one new check-in, and those two answered from
// memory. On PostgreSQL the check-ins are the same.
func TestMemoKeepsAMemberTrueThroughTheirCheckins(t *testing.T) {
	card, pincode, device := `{"accessCardId":"CARD-1"}`, `{"pincode":"1234"}`, `{"mac":"AA:BB:CC:DD:EE:01"}`
	eachFixture(t, func(t *testing.T, f *fixture) {
		post := func(body string) (fromMemory bool) {
			t.Helper()
			before := f.db.MemoDecisions()
			if _, c := f.post(body); !c.WasSuccessful {
				t.Fatalf("%s refused: %+v", body, c)
			}
			return f.db.MemoDecisions() > before
		}
		// Twice: the first pincode-only check-in turns unique pincodes on,
		// a setting, and every lookup kept before it is dropped.
		for range 2 {
			for _, body := range []string{card, pincode, device} {
				for i := 0; !post(body) && f.db.IsSQLite(); i++ {
					if i == 3 {
						t.Fatalf("on SQLite, %d check-ins with %s and none answered from memory", i+1, body)
					}
				}
			}
		}
		c := f.open(f.jane.ID)[0]
		c.ToTime = checkin.TimePtr(f.clock.Now())
		if err := f.db.Checkins().Replace(f.ctx, c); err != nil {
			t.Fatal(err)
		}
		post(device)
		for _, body := range []string{card, pincode} {
			if !post(body) && f.db.IsSQLite() {
				t.Errorf("on SQLite, %s after Jane's new check-in was looked up in the database", body)
			}
		}
		if open, all := len(f.open(f.jane.ID)), len(f.checkins()); open != 1 || all != 2 {
			t.Errorf("Jane has %d open check-ins of %d; want 1 of 2", open, all)
		}
	})
}
