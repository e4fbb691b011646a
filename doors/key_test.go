package doors_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/doors"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

func TestDoorKeyIsShownOnceAndStoredHashed(t *testing.T) {
	each(t, func(t *testing.T, a *apitest.API) {
		d := newDoor(t, a, a.NewLocation())
		path := fmt.Sprintf("%s/%d", checkin.Doors.Path, d.ID)
		for _, r := range []*apitest.Response{a.Do("GET", path, a.AdminToken(), nil), a.Do("GET", checkin.Doors.Path, a.AdminToken(), nil)} {
			if strings.Contains(string(r.Body), d.Key) || strings.Contains(string(r.Body), `"Key"`) {
				t.Errorf("a read shows the key: %s", r)
			}
		}
		sum := sha256.Sum256([]byte(d.Key))
		if n := count(t, a, "SELECT count(*) FROM doors WHERE id = ? AND key_hash = ?", d.ID, hex.EncodeToString(sum[:])); n != 1 {
			t.Errorf("doors with the key's SHA-256 stored = %d, want 1", n)
		}
		if n := count(t, a, "SELECT count(*) FROM doors WHERE key_hash = ?", d.Key); n != 0 {
			t.Errorf("the key is stored as it is")
		}
		rec := a.Get(a.AdminToken(), path)
		if rec["Active"] != true || rec["LastSeen"] != nil {
			t.Errorf("new door = %v, want active and never seen", rec)
		}
		a.Want(a.Do("GET", doors.KeysPath, "", nil), http.StatusOK, "keys")
		a.Want(a.Do("GET", doors.AllowlistPath, d.Key, nil), http.StatusOK, "allow-list")
		if seen := a.Get(a.AdminToken(), path)["LastSeen"]; seen != storetest.Start.Format("2006-01-02T15:04:05Z") {
			t.Errorf("LastSeen after a call = %v, want %v", seen, storetest.Start)
		}
	})
}

func TestDoorKeyRotationAndRevocation(t *testing.T) {
	each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		d := newDoor(t, a, loc)
		path := fmt.Sprintf("%s/%d", checkin.Doors.Path, d.ID)
		works := func(key string) bool {
			t.Helper()
			return a.Do("GET", doors.AllowlistPath, key, nil).Status == http.StatusOK
		}
		if !works(d.Key) {
			t.Fatal("the new door's key does not work")
		}

		editor, reader := a.NewUser("Door-Edit"), a.NewUser("Door-Read")
		a.Want(a.Do("POST", path+"/key", reader.Token, nil), http.StatusForbidden, "rotate without Door-Edit")
		a.Want(a.Do("POST", path+"/key", d.Key, nil), http.StatusUnauthorized, "rotate with the door's own key")
		r := a.Want(a.Do("POST", path+"/key", editor.Token, nil), http.StatusOK, "rotate")
		newKey, _ := r.Object(t)["Value"].(map[string]any)["Key"].(string)
		if newKey == "" || newKey == d.Key {
			t.Fatalf("rotate answered %s", r)
		}
		if works(d.Key) {
			t.Error("the old key still works after the rotation")
		}
		if !works(newKey) {
			t.Error("the new key does not work")
		}
		a.Want(a.Do("POST", fmt.Sprintf("%s/%d/key", checkin.Doors.Path, d.ID+100), a.AdminToken(), nil), http.StatusNotFound, "rotate a missing door")

		a.Want(a.Do("GET", checkin.Doors.Path, newKey, nil), http.StatusUnauthorized, "a door key on an admin route")
		a.Want(a.Do("GET", doors.AllowlistPath, a.AdminToken(), nil), http.StatusUnauthorized, "an admin token on a door route")
		a.Want(a.Do("GET", doors.AllowlistPath, "", nil), http.StatusUnauthorized, "no key")

		body := map[string]any{"Id": d.ID, "BusinessId": loc, "Name": "Front", "Active": false}
		a.Want(a.Do("PUT", checkin.Doors.Path, a.AdminToken(), body), http.StatusOK, "deactivate")
		if works(newKey) {
			t.Error("an inactive door's key works")
		}
		body["Active"] = true
		a.Want(a.Do("PUT", checkin.Doors.Path, a.AdminToken(), body), http.StatusOK, "reactivate")
		if !works(newKey) {
			t.Error("a replace of the door changed its key")
		}
		a.Want(a.Do("DELETE", path, a.AdminToken(), nil), http.StatusOK, "delete")
		if works(newKey) {
			t.Error("a deleted door's key works")
		}
	})
}
