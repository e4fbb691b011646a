package httpapi_test

import (
	"fmt"
	"maps"
	"reflect"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

const (
	accessTokensPath = "/api/spaces/accesstokens"
	visitorsPath     = "/api/spaces/visitors"
)

// postAndCheck creates a record from base with set applied and checks
// either that the answer names wantField or that the record holds want.
func postAndCheck(t *testing.T, a *apitest.API, path string, base, set map[string]any, wantField string, want map[string]any) {
	t.Helper()
	body := maps.Clone(base)
	maps.Copy(body, set)
	r := a.Do("POST", path, a.AdminToken(), body)
	if wantField != "" {
		wantFieldError(t, r, wantField)
		return
	}
	got := a.Get(a.AdminToken(), fmt.Sprintf("%s/%d", path, createdID(t, r)))
	wantFields(t, fmt.Sprint(set), got, want)
}

// wantFields checks that a record holds the wanted values, as decoded.
func wantFields(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s: %s = %v, want %v", what, k, got[k], v)
		}
	}
}

func TestAccessTokenFields(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc, other := a.NewLocation(), a.NewLocation()
		a.Create(a.AdminToken(), accessTokensPath, map[string]any{"BusinessId": loc, "AccessCode": "Guest-1", "MinutesIncluded": 60})
		for _, tc := range []struct {
			set       map[string]any
			wantField string
			want      map[string]any
		}{
			{nil, "", map[string]any{"MinutesIncluded": jsonInt(90), "MinutesLeft": jsonInt(90), "LastAccess": nil, "MacAddresses": "", "ValidFrom": nil}},
			{map[string]any{"MinutesLeft": 15}, "", map[string]any{"MinutesLeft": jsonInt(15)}},
			{map[string]any{"ValidFrom": "2026-06-15T09:00", "ValidTo": "2026-06-16T09:00:00Z"}, "", map[string]any{"ValidFrom": "2026-06-15T09:00:00Z", "ValidTo": "2026-06-16T09:00:00Z"}},
			{map[string]any{"LastAccess": "2026-06-15T09:00:00Z", "MacAddresses": "AA:BB:CC:DD:EE:FF"}, "", map[string]any{"LastAccess": nil, "MacAddresses": ""}},
			{map[string]any{"BusinessId": other, "AccessCode": "GUEST-1"}, "", map[string]any{"AccessCode": "GUEST-1"}},
			{map[string]any{"AccessCode": "GUEST-1"}, "AccessCode", nil},
			{map[string]any{"AccessCode": "guest-1"}, "AccessCode", nil},
			{map[string]any{"AccessCode": "two words"}, "AccessCode", nil},
			{map[string]any{"MinutesIncluded": 0}, "MinutesIncluded", nil},
			{map[string]any{"MinutesIncluded": -5}, "MinutesIncluded", nil},
			{map[string]any{"MinutesLeft": -1}, "MinutesLeft", nil},
			{map[string]any{"ValidFrom": "2026-06-16T09:00:00Z", "ValidTo": "2026-06-15T09:00:00Z"}, "ValidTo", nil},
		} {
			base := map[string]any{"BusinessId": loc, "AccessCode": fmt.Sprintf("CODE-%d", a.Next()), "MinutesIncluded": 90}
			postAndCheck(t, a, accessTokensPath, base, tc.set, tc.wantField, tc.want)
		}
	})
}

func TestVisitorFields(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		host := a.Create(a.AdminToken(), coworkersPath, a.Sample("Coworker", loc))
		a.Create(a.AdminToken(), visitorsPath, map[string]any{"BusinessId": loc, "FullName": "First", "VisitorCode": "Visit-1"})
		for _, tc := range []struct {
			set       map[string]any
			wantField string
			want      map[string]any
		}{
			{nil, "", map[string]any{"HostApprovalStatus": jsonInt(1), "CoworkerId": nil, "CheckedInAt": nil}},
			{map[string]any{"HostApprovalStatus": 5, "CoworkerId": host, "Email": "Guest@Example.com", "ExpectedArrival": "2026-06-16T09:00:00Z"}, "",
				map[string]any{"HostApprovalStatus": jsonInt(5), "CoworkerId": jsonInt(host), "Email": "guest@example.com", "ExpectedArrival": "2026-06-16T09:00:00Z"}},
			{map[string]any{"HostApprovalStatus": 2}, "", map[string]any{"HostApprovalStatus": jsonInt(2)}},
			{map[string]any{"CheckedInAt": "2026-06-15T09:00:00Z"}, "", map[string]any{"CheckedInAt": nil}},
			{map[string]any{"HostApprovalStatus": 0}, "HostApprovalStatus", nil},
			{map[string]any{"HostApprovalStatus": 6}, "HostApprovalStatus", nil},
			{map[string]any{"VisitorCode": "VISIT-1"}, "VisitorCode", nil},
			{map[string]any{"Email": "not an email"}, "Email", nil},
			{map[string]any{"FullName": ""}, "FullName", nil},
		} {
			base := map[string]any{"BusinessId": loc, "FullName": "Guest"}
			postAndCheck(t, a, visitorsPath, base, tc.set, tc.wantField, tc.want)
		}
	})
}
