package doors_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/doors"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// fetchList gets a door's list and verifies its signature with
// crypto/ed25519 against the published keys, by hand.
func fetchList(t *testing.T, a *apitest.API, key string, header ...string) (*apitest.Response, doors.List) {
	t.Helper()
	r := a.Do("GET", doors.AllowlistPath, key, nil, header...)
	if r.Status == http.StatusNotModified {
		return r, doors.List{}
	}
	a.Want(r, http.StatusOK, "allow-list")
	keys := apitest.Decode[doors.KeySet](t, a.Want(a.Do("GET", doors.KeysPath, "", nil), http.StatusOK, "keys"))
	parts := strings.Fields(r.Header.Get(doors.SignatureHeader))
	if len(parts) != 3 || parts[0] != "ed25519" {
		t.Fatalf("signature header %q", r.Header.Get(doors.SignatureHeader))
	}
	sig, _ := base64.StdEncoding.DecodeString(parts[2])
	i := slices.IndexFunc(keys.Keys, func(k doors.PublicKey) bool { return k.ID == parts[1] })
	if i < 0 {
		t.Fatalf("the list is signed by key %s, not among %v", parts[1], keys)
	}
	pub, _ := base64.RawURLEncoding.DecodeString(keys.Keys[i].X)
	if !ed25519.Verify(pub, r.Body, sig) {
		t.Fatal("the list's signature does not verify with crypto/ed25519")
	}
	tampered := []byte(strings.Replace(string(r.Body), `"DoorId"`, `"DoorID"`, 1))
	if ed25519.Verify(pub, tampered, sig) {
		t.Fatal("a changed body verifies")
	}
	var l doors.List
	if err := json.Unmarshal(r.Body, &l); err != nil {
		t.Fatal(err)
	}
	return r, l
}

func entryOf(l doors.List, coworker int64) *doors.Entry {
	for i := range l.Entries {
		if l.Entries[i].CoworkerID == coworker {
			return &l.Entries[i]
		}
	}
	return nil
}

func TestAllowlistHoldsWhoACardAdmitsNow(t *testing.T) {
	each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		d := newDoor(t, a, loc)
		weekly := a.Create(a.AdminToken(), checkin.Tariffs.Path, map[string]any{"BusinessId": loc, "Name": "One day", "CheckinWeekLimit": 1})
		closed := a.Create(a.AdminToken(), checkin.Tariffs.Path, map[string]any{"BusinessId": loc, "Name": "Closed", "Active": false})
		plain := member(t, a, loc, "A-1, a-2", nil)
		oneDay := member(t, a, loc, "B-1", map[string]any{"TariffId": weekly})
		member(t, a, loc, "C-1", map[string]any{"TariffId": closed})
		member(t, a, loc, "D-1", map[string]any{"Active": false})
		member(t, a, loc, "", nil)
		elsewhere := a.Create(a.AdminToken(), checkin.Businesses.Path, map[string]any{"Name": "Annex", "WebAddress": fmt.Sprintf("annex-%d", a.Next()),
			"NetworkId": a.Get(a.AdminToken(), fmt.Sprintf("%s/%d", checkin.Businesses.Path, loc))["NetworkId"]})
		roamer := member(t, a, elsewhere, "E-1", map[string]any{"AllowNetworkCheckin": true})
		member(t, a, elsewhere, "F-1", nil)

		r, l := fetchList(t, a, d.Key)
		var ids []int64
		for _, e := range l.Entries {
			ids = append(ids, e.CoworkerID)
		}
		if want := []int64{plain, oneDay, roamer}; !slices.Equal(ids, want) {
			t.Fatalf("entries = %v, want %v", ids, want)
		}
		if l.DoorID != d.ID || l.BusinessID != loc || !l.IssuedAt.Equal(storetest.Start) || !l.ExpiresAt.Equal(storetest.Start.Add(24*time.Hour)) {
			t.Errorf("list = %+v", l)
		}
		salt, _ := base64.StdEncoding.DecodeString(l.Salt)
		if e := entryOf(l, plain); !slices.Equal(e.CardHashes, []string{doors.HashCard(salt, "A-1"), doors.HashCard(salt, "A-2")}) || !e.ValidUntil.Equal(l.ExpiresAt) {
			t.Errorf("entry of the plain member = %+v", e)
		}
		london, _ := time.LoadLocation("Europe/London")
		midnight := time.Date(2026, 6, 16, 0, 0, 0, 0, london)
		if e := entryOf(l, oneDay); !e.ValidUntil.Equal(midnight) {
			t.Errorf("one day a week: ValidUntil = %v, want the day's end %v", e.ValidUntil, midnight)
		}
		pincode := a.Get(a.AdminToken(), fmt.Sprintf("%s/%d", checkin.Coworkers.Path, plain))["AccessPincode"].(string)
		for _, secret := range []string{"A-1", "B-1", pincode} { // no card, no pincode in clear
			if strings.Contains(string(r.Body), secret) {
				t.Errorf("the list holds %q in clear: %s", secret, r.Body)
			}
		}
		if !l.Admits("a-1", storetest.Start) || l.Admits("C-1", storetest.Start) || l.Admits("B-1", midnight) || l.Admits("A-1", l.ExpiresAt) {
			t.Error("Admits disagrees with the entries")
		}

		a.Want(a.Do("POST", doors.DecidePath, d.Key, map[string]any{"accessCardId": "B-1"}), http.StatusOK, "the one day")
		a.Clock.Advance(24 * time.Hour)
		_, l = fetchList(t, a, d.Key)
		if entryOf(l, oneDay) != nil {
			t.Error("a member who used the week's one day is still on the list the next day")
		}
	})
}

func TestAllowlistETagAndExpiry(t *testing.T) {
	each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		d := newDoor(t, a, loc)
		m := member(t, a, loc, "CARD-1", nil)
		r, l := fetchList(t, a, d.Key)
		etag := r.Header.Get("ETag")
		if etag == "" || entryOf(l, m) == nil {
			t.Fatalf("list %s, ETag %q", r, etag)
		}
		a.Clock.Advance(time.Minute)
		again, _ := fetchList(t, a, d.Key, "If-None-Match: "+etag)
		if again.Status != http.StatusNotModified || again.Header.Get("ETag") != etag || len(again.Body) != 0 {
			t.Errorf("unchanged list with If-None-Match: %s, ETag %q", again, again.Header.Get("ETag"))
		}

		rec := a.Get(a.AdminToken(), fmt.Sprintf("%s/%d", checkin.Coworkers.Path, m))
		rec["Active"] = false
		a.Want(a.Do("PUT", checkin.Coworkers.Path, a.AdminToken(), rec), http.StatusOK, "deactivate")
		if n := count(t, a, "SELECT count(*) FROM events WHERE kind = ? AND business_id = ? AND record LIKE ?",
			checkin.EventAccessControlUpdate, loc, fmt.Sprintf(`%%"CoworkerId":%d%%`, m)); n != 2 {
			t.Errorf("AccessControlUpdate events of the member = %d, want 2 (created, deactivated)", n)
		}
		changed, l := fetchList(t, a, d.Key, "If-None-Match: "+etag)
		if changed.Status != http.StatusOK || changed.Header.Get("ETag") == etag || entryOf(l, m) != nil {
			t.Errorf("after deactivation: %s, ETag %q (was %q)", changed, changed.Header.Get("ETag"), etag)
		}

		rec["FullName"] = "Renamed"
		a.Want(a.Do("PUT", checkin.Coworkers.Path, a.AdminToken(), rec), http.StatusOK, "rename")
		if n := count(t, a, "SELECT count(*) FROM events WHERE kind = ?", checkin.EventAccessControlUpdate); n != 2 {
			t.Errorf("a rename wrote an AccessControlUpdate event (%d in all)", n)
		}

		a.Create(a.AdminToken(), checkin.BusinessSettings.Path, map[string]any{"BusinessId": loc, "Name": checkin.SettingDoorAllowlistHours, "Value": "2"})
		a.Clock.Advance(2 * time.Hour) // due for renewal: a new list with a new expiry
		_, l = fetchList(t, a, d.Key)
		if !l.ExpiresAt.Equal(a.Clock.Now().Add(2 * time.Hour)) {
			t.Errorf("ExpiresAt = %v, want 2 hours (Doors.AllowlistHours) after %v", l.ExpiresAt, a.Clock.Now())
		}
	})
}

func TestSigningKeyRotationKeepsTheOldKeyForADay(t *testing.T) {
	each(t, func(t *testing.T, a *apitest.API) {
		d := newDoor(t, a, a.NewLocation())
		r, _ := fetchList(t, a, d.Key)
		old := apitest.Decode[doors.KeySet](t, a.Do("GET", doors.KeysPath, "", nil))
		if len(old.Keys) != 1 {
			t.Fatalf("keys = %v, want one", old)
		}
		k, err := a.DB.RotateSigningKey(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		keys := apitest.Decode[doors.KeySet](t, a.Do("GET", doors.KeysPath, "", nil))
		if len(keys.Keys) != 2 || keys.Keys[0].ID != k.ID || keys.Keys[1] != old.Keys[0] {
			t.Fatalf("keys after rotation = %v", keys)
		}
		if err := doors.Verify(r.Header.Get(doors.SignatureHeader), r.Body, keys); err != nil {
			t.Errorf("a list signed before the rotation: %v", err)
		}
		fresh, _ := fetchList(t, a, d.Key)
		if !strings.Contains(fresh.Header.Get(doors.SignatureHeader), " "+k.ID+" ") {
			t.Errorf("a list after the rotation is signed %q, want by %s", fresh.Header.Get(doors.SignatureHeader), k.ID)
		}
		a.Clock.Advance(24*time.Hour + time.Second)
		keys = apitest.Decode[doors.KeySet](t, a.Do("GET", doors.KeysPath, "", nil))
		if len(keys.Keys) != 1 || keys.Keys[0].ID != k.ID {
			t.Errorf("keys a day later = %v, want only %s", keys, k.ID)
		}
		if err := doors.Verify(r.Header.Get(doors.SignatureHeader), r.Body, keys); err == nil {
			t.Error("a list by a key no longer published verifies")
		}
	})
}
