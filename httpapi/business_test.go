package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

const businessesPath = "/api/sys/businesses"

func TestBusinessWebAddressAndTimeZone(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		a.Create(admin, businessesPath, map[string]any{"Name": "Taken", "WebAddress": "taken"})
		for _, tc := range []struct {
			name, address, timeZone string
			wantField               string // empty: accepted
			wantAddress, wantZone   string
		}{
			{"lower-cased", "Acme-2", "", "", "acme-2", "UTC"},
			{"time zone kept", "berlin", "Europe/Berlin", "", "berlin", "Europe/Berlin"},
			{"taken in another case", "TAKEN", "", "WebAddress", "", ""},
			{"underscore", "acme_1", "", "WebAddress", "", ""},
			{"space", "acme 1", "", "WebAddress", "", ""},
			{"leading hyphen", "-acme", "", "WebAddress", "", ""},
			{"accent", "café", "", "WebAddress", "", ""},
			{"dot", "acme.example", "", "WebAddress", "", ""},
			{"empty", "", "", "WebAddress", "", ""},
			{"unknown time zone", "zone1", "Europe/Londn", "TimeZone", "", ""},
			{"the server's zone", "zone2", "Local", "TimeZone", "", ""},
			{"an offset", "zone3", "+01:00", "TimeZone", "", ""},
		} {
			r := a.Do("POST", businessesPath, admin, map[string]any{"Name": tc.name, "WebAddress": tc.address, "TimeZone": tc.timeZone})
			if tc.wantField != "" {
				wantFieldError(t, r, tc.wantField)
				continue
			}
			got := a.Get(admin, fmt.Sprintf("%s/%d", businessesPath, createdID(t, r)))
			if got["WebAddress"] != tc.wantAddress || got["TimeZone"] != tc.wantZone {
				t.Errorf("%s: WebAddress, TimeZone = %v, %v; want %v, %v", tc.name, got["WebAddress"], got["TimeZone"], tc.wantAddress, tc.wantZone)
			}
		}
		other := a.Create(admin, businessesPath, map[string]any{"Name": "Other", "WebAddress": "other"})
		r := a.Do("PUT", businessesPath, admin, map[string]any{"Id": other, "Name": "Other", "WebAddress": "Taken"})
		wantFieldError(t, r, "WebAddress")
	})
}

func TestBusinessNetworks(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		get := func(id int64) map[string]any { return a.Get(admin, fmt.Sprintf("%s/%d", businessesPath, id)) }
		first := a.Create(admin, businessesPath, map[string]any{"Name": "First", "WebAddress": "first"})
		network := get(first)["NetworkId"]
		second := a.Create(admin, businessesPath, map[string]any{"Name": "Second", "WebAddress": "second"})
		joined := a.Create(admin, businessesPath, map[string]any{"Name": "Joined", "WebAddress": "joined", "NetworkId": network})
		if apitest.Int(t, network) <= 0 {
			t.Fatalf("NetworkId = %v, want a network", network)
		}
		if got := get(second)["NetworkId"]; got == network {
			t.Errorf("a location created without NetworkId joined network %v; want a new network", got)
		}
		if got := get(joined)["NetworkId"]; got != network {
			t.Errorf("NetworkId of the joining location = %v, want %v", got, network)
		}
		a.Want(a.Do("PUT", businessesPath, admin, map[string]any{"Id": joined, "Name": "Joined", "WebAddress": "joined"}), http.StatusOK, "PUT without NetworkId")
		if got := get(joined)["NetworkId"]; got != network {
			t.Errorf("after a PUT without NetworkId, NetworkId = %v; want the location to stay in %v", got, network)
		}
		for _, bad := range []any{999999, -1} {
			r := a.Do("POST", businessesPath, admin, map[string]any{"Name": "Lost", "WebAddress": "lost", "NetworkId": bad})
			wantFieldError(t, r, "NetworkId")
		}
		wantNetworkFilter(t, a, network, first, joined)
	})
}

// wantNetworkFilter checks that the network's locations are listed by it.
func wantNetworkFilter(t *testing.T, a *apitest.API, network any, ids ...int64) {
	t.Helper()
	page := a.Get(a.AdminToken(), fmt.Sprintf("%s?Business_NetworkId=%v", businessesPath, network))
	records := page["Records"].([]any)
	if len(records) != len(ids) {
		t.Fatalf("Business_NetworkId=%v: %d records, want %d", network, len(records), len(ids))
	}
	for i, id := range ids {
		if got := apitest.Int(t, records[i].(map[string]any)["Id"]); got != id {
			t.Errorf("record %d: Id %d, want %d", i, got, id)
		}
	}
}
