package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

const settingsPath = "/api/sys/businesssettings"

func TestBusinessSettingValues(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		for _, tc := range []struct {
			name, value string
			wantField   string
			wantValue   string
		}{
			{"Checkin.DeviceCountLimit", "5", "", "5"},
			{"Checkin.DeviceCountLimit", "lots", "Value", ""},
			{"Checkin.DeviceCountLimit", "-1", "Value", ""},
			{"Checkin.DailyCutOffTime", "90", "", "90"},
			{"Checkin.DailyCutOffTime", "01:30", "", "01:30"},
			{"Checkin.DailyCutOffTime", "25:00", "Value", ""},
			{"Checkin.DailyCutOffTime", "1440", "Value", ""},
			{"Security.GenerateUniquePincode", "true", "", "True"},
			{"Security.AutoGeneratePincode", "FALSE", "", "False"},
			{"DisableAutoChecking", "1", "", "True"},
			{"MembersSignUp", "no", "", "False"},
			{"MembersSignUp", "maybe", "Value", ""},
			{"PublicWebSite.Visitors.DefaultDuration", "0", "Value", ""},
			{"checkin.devicecountlimit", "7", "", "7"},
			{"Checkin.Unknown", "1", "Name", ""},
			{"", "1", "Name", ""},
			{"Checkin.DeviceCountLimit", "", "Value", ""},
		} {
			loc := a.NewLocation()
			r := a.Do("POST", settingsPath, a.AdminToken(), map[string]any{"BusinessId": loc, "Name": tc.name, "Value": tc.value})
			if tc.wantField != "" {
				wantFieldError(t, r, tc.wantField)
				continue
			}
			got := a.Get(a.AdminToken(), fmt.Sprintf("%s/%d", settingsPath, createdID(t, r)))
			if got["Value"] != tc.wantValue {
				t.Errorf("%s=%s: Value = %v, want %v", tc.name, tc.value, got["Value"], tc.wantValue)
			}
		}
	})
}

func TestBusinessSettingIsOnePerLocationWhateverItsName(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		for _, tc := range []struct{ first, second string }{
			{"Security.DisableAutoChecking", "DisableAutoChecking"},
			{"DisableAutoChecking", "security.disableautochecking"},
			{"Members.CanSignup", "MembersSignUp"},
			{"MembersSignUp", "Members.CanSignup"},
			{"Checkin.DeviceCountLimit", "Checkin.DeviceCountLimit"},
		} {
			loc, other := a.NewLocation(), a.NewLocation()
			value := "True"
			if tc.first == "Checkin.DeviceCountLimit" {
				value = "4"
			}
			first := a.Create(admin, settingsPath, map[string]any{"BusinessId": loc, "Name": tc.first, "Value": value})
			wantFieldError(t, a.Do("POST", settingsPath, admin, map[string]any{"BusinessId": loc, "Name": tc.second, "Value": value}), "Name")
			a.Create(admin, settingsPath, map[string]any{"BusinessId": other, "Name": tc.second, "Value": value})
			a.Want(a.Do("PUT", settingsPath, admin, map[string]any{"Id": first, "BusinessId": loc, "Name": tc.second, "Value": value}),
				http.StatusOK, "renaming a setting to its alias")
			page := a.Get(admin, fmt.Sprintf("%s?BusinessSetting_Business=%d", settingsPath, loc))
			if got := apitest.Int(t, page["TotalItems"]); got != 1 {
				t.Errorf("%s then %s: %d settings at the location, want 1", tc.first, tc.second, got)
			}
		}
	})
}
