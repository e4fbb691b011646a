package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
)

// TestMemoWarmedAtOpen: Open fills the memo with the lookups of every
// card, pincode, device and user's profiles, each as its own query finds
// it (members in order, shared credentials, open check-ins); with a bound
// too small for them all, what it keeps is still whole.
func TestMemoWarmedAtOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := Open(ctx, path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var bids []int64
	for _, name := range []string{"a", "b", "c"} {
		b := checkin.Businesses.New()
		b.Name, b.WebAddress, b.TimeZone = name, name, "Europe/London"
		id, err := db.Businesses().Create(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		bids = append(bids, id)
	}
	var cids []int64
	for i, m := range []struct {
		business int
		cards    string
		pincode  string
	}{{0, "C1,C2", "1111"}, {1, "C1", "1111"}, {0, "C3", "1111"}, {2, "C1", "2222"}} {
		c := checkin.Coworkers.New()
		c.BusinessID, c.FullName, c.Email, c.Active = bids[m.business], fmt.Sprintf("m%d", i), fmt.Sprintf("m%d@example.com", i), true
		c.AccessCardID, c.AccessPincode = m.cards, m.pincode
		id, err := db.Coworkers().Create(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		cids = append(cids, id)
	}
	var uids []int64
	for i, devices := range []string{"02:00:00:00:00:01,02:00:00:00:00:02", "02:00:00:00:00:01"} {
		u := checkin.Users.New()
		u.Email, u.FullName, u.Devices = fmt.Sprintf("u%d@example.com", i), fmt.Sprintf("u%d", i), devices
		id, err := db.Users().Create(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		uids = append(uids, id)
	}
	err = db.write(ctx, func(tx *Tx) error {
		// a and b are one network; c another. u0 is m0, m1 and m3.
		if _, err := tx.Exec("UPDATE businesses SET network_id = (SELECT network_id FROM businesses WHERE id = ?) WHERE id = ?", bids[0], bids[1]); err != nil {
			return err
		}
		_, err := tx.Exec("UPDATE coworkers SET user_id = ? WHERE id IN (?, ?, ?)", uids[0], cids[0], cids[1], cids[3])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Decide(ctx, func(checkin.DecisionView) ([]checkin.Effect, error) {
		return []checkin.Effect{checkin.StartCheckin{Checkin: &checkin.Checkin{
			BusinessID: bids[0], CoworkerID: &cids[0], FromTime: checkin.NewTime(time.Now())}}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	networks := map[int64]bool{}
	for _, id := range bids {
		b, err := db.Businesses().Find(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		networks[b.NetworkID] = true
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Every lookup, as the decision asks it.
	type lookup struct {
		name string
		ask  func(v *view) (any, error)
	}
	var lookups []lookup
	for n := range networks {
		for _, card := range []string{"C1", "C2", "C3"} {
			lookups = append(lookups, lookup{fmt.Sprintf("card %s in network %d", card, n), func(v *view) (any, error) { return v.MembersByCard(n, card) }})
		}
		for _, u := range uids {
			lookups = append(lookups, lookup{fmt.Sprintf("profiles of user %d in network %d", u, n), func(v *view) (any, error) { return v.Profiles(u, n) }})
		}
	}
	for _, b := range bids {
		for _, pin := range []string{"1111", "2222"} {
			lookups = append(lookups, lookup{fmt.Sprintf("pincode %s at %d", pin, b), func(v *view) (any, error) { return v.MembersByPincode(b, pin) }})
		}
	}
	for _, mac := range []string{"02:00:00:00:00:01", "02:00:00:00:00:02"} {
		lookups = append(lookups, lookup{"device " + mac, func(v *view) (any, error) { return v.PersonsByDevice(mac) }})
	}

	for _, tc := range []struct {
		name     string
		limit    int
		wantKept int
	}{{"whole", maxMemoEntries / 2, 11}, {"bounded", 1, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(ctx, path, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.warming.Wait()
			db.memo.forget()
			err = db.read(ctx, func(tx *Tx) error {
				_, err := db.memo.warm(ctx, tx.q, tc.limit)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			kept := 0
			for _, l := range lookups {
				mv := &view{Tx: db.newTx(ctx, nil), memo: &memoRun{m: db.memo, seq: db.memo.now(), only: true}}
				fromMemo, err := l.ask(mv)
				if errors.Is(err, errMemoMiss) {
					continue
				}
				if err != nil {
					t.Fatalf("%s from the memo: %v", l.name, err)
				}
				kept++
				var fromDB any
				var dv *view
				err = db.read(ctx, func(tx *Tx) error {
					dv = &view{Tx: tx}
					fromDB, err = l.ask(dv)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(fromMemo, fromDB) || !reflect.DeepEqual(mv.read, dv.read) {
					t.Errorf("%s: from the memo %+v (read %+v), from the database %+v (read %+v)", l.name, fromMemo, mv.read, fromDB, dv.read)
				}
			}
			if kept != tc.wantKept {
				t.Errorf("%d lookups answered from the memo, want %d", kept, tc.wantKept)
			}
		})
	}
}
