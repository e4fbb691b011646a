package apitest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/checkin-oss/checkin"
)

// Path returns the admin API path of the entity.
func Path(entity string) string {
	s := checkin.Lookup(entity)
	if s == nil {
		panic("apitest: no entity " + entity)
	}
	return s.Path
}

// Int reads a JSON number of a decoded answer as an int64; it fails the
// test on anything else.
func Int(t testing.TB, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a JSON number", v, v)
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		t.Fatalf("%v is not a whole number", v)
	}
	return i
}

// NewLocation creates a location in a network of its own and returns its Id.
func (a *API) NewLocation() int64 {
	a.t.Helper()
	return a.Create(a.AdminToken(), Path("Business"), a.Sample("Business", 0))
}

// sampleSettings are a valid value of each setting.
var sampleSettings = [][2]string{
	{checkin.SettingDeviceCountLimit, "3"},
	{checkin.SettingDailyCutOffTime, "90"},
	{checkin.SettingGenerateUniquePincode, "False"},
	{checkin.SettingAutoGeneratePincode, "False"},
	{checkin.SettingDisableAutoChecking, "True"},
	{checkin.SettingMembersSignUp, "True"},
	{checkin.SettingVisitorDefaultDuration, "30"},
	{checkin.SettingPincodeMinLength, "4"},
}

// Sample returns the JSON of a new, valid record of the entity at the
// location, creating through the admin API what it refers to. Business and
// User ignore the location; a BusinessSetting goes to a new location once
// the given one has every setting; FailedCheckin, being read-only, gets a
// body that would be valid if it could be written.
func (a *API) Sample(entity string, businessID int64) map[string]any {
	a.t.Helper()
	n := a.Next()
	switch entity {
	case "Business":
		return map[string]any{"Name": fmt.Sprintf("Location %d", n), "WebAddress": fmt.Sprintf("loc-%d", n), "TimeZone": "Europe/London"}
	case "BusinessSetting":
		return a.freeSetting(businessID)
	case "User":
		return map[string]any{"Email": fmt.Sprintf("person%d@example.com", n), "FullName": fmt.Sprintf("Person %d", n)}
	case "Coworker":
		return map[string]any{"BusinessId": businessID, "FullName": fmt.Sprintf("Member %d", n),
			"Email": fmt.Sprintf("member%d@example.com", n), "AccessPincode": fmt.Sprintf("%06d", n), "AccessCardId": fmt.Sprintf("CARD-%d", n)}
	case "Team":
		return map[string]any{"BusinessId": businessID, "Name": fmt.Sprintf("Team %d", n)}
	case "Tariff":
		return map[string]any{"BusinessId": businessID, "Name": fmt.Sprintf("Plan %d", n), "CheckinMonthLimit": 10}
	case "AccessToken":
		return map[string]any{"BusinessId": businessID, "AccessCode": fmt.Sprintf("CODE-%d", n), "MinutesIncluded": 60}
	case "Visitor":
		return map[string]any{"BusinessId": businessID, "FullName": fmt.Sprintf("Visitor %d", n), "VisitorCode": fmt.Sprintf("V-%d", n), "HostApprovalStatus": 1}
	case "Checkin":
		coworker := a.Create(a.AdminToken(), Path("Coworker"), a.Sample("Coworker", businessID))
		return map[string]any{"BusinessId": businessID, "CoworkerId": coworker}
	case "Door":
		return map[string]any{"BusinessId": businessID, "Name": fmt.Sprintf("Door %d", n)}
	case "FailedCheckin":
		return map[string]any{"BusinessId": businessID, "Description": "No access"}
	case "RadiusClient":
		return map[string]any{"BusinessId": businessID, "Name": fmt.Sprintf("AP %d", n),
			"Address": fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255), "Secret": fmt.Sprintf("secret-%06d", n)}
	case "WebHook":
		return map[string]any{"BusinessId": businessID, "Name": fmt.Sprintf("Hook %d", n), "Action": 36,
			"URL": fmt.Sprintf("https://hooks.example.com/%d", n), "Active": true, "Secret": "s3cret"}
	}
	a.t.Fatalf("apitest: no sample of %s: add one to Sample", entity)
	return nil
}

// freeSetting returns a setting that the location does not have yet, or,
// once it has them all, one of a new location.
func (a *API) freeSetting(businessID int64) map[string]any {
	a.t.Helper()
	page := a.Get(a.AdminToken(), fmt.Sprintf("%s?BusinessSetting_Business=%d&size=100", Path("BusinessSetting"), businessID))
	set := map[string]bool{}
	for _, rec := range page["Records"].([]any) {
		set[checkin.SettingDef(rec.(map[string]any)["Name"].(string)).Name] = true
	}
	for _, s := range sampleSettings {
		if !set[s[0]] {
			return map[string]any{"BusinessId": businessID, "Name": s[0], "Value": s[1]}
		}
	}
	return a.freeSetting(a.NewLocation())
}

// AddFailedCheckin stores a failed check-in as the check-in endpoint would,
// and returns its Id.
func (a *API) AddFailedCheckin(f *checkin.FailedCheckin) int64 {
	a.t.Helper()
	id, err := a.DB.AddFailedCheckin(context.Background(), f)
	if err != nil {
		a.t.Fatalf("add failed check-in: %v", err)
	}
	return id
}
