package access_test

import (
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

func TestCheckinEmailPincode(t *testing.T) {
	runCheckinCases(t, []checkinCase{
		{name: "checks in the member", body: `{"email":"jane@example.com","pincode":"1234"}`, check: janeIn(checkin.SourceManual)},
		{name: "wrong pincode", body: `{"email":"jane@example.com","pincode":"9999"}`, want: checkin.CodeInvalidCredentials,
			check: refusedAbout(nil, checkin.SourceManual, "jane@example.com")},
		{name: "unknown email", body: `{"email":"nobody@example.com","pincode":"1234"}`, want: checkin.CodeInvalidCredentials},
		{name: "network-wide where AllowNetworkCheckin is on", setup: memberElsewhere(true, true),
			body: `{"email":"ola@example.com","pincode":"5555"}`, check: checkedInByEmail("ola@example.com", false)},
		{name: "not network-wide where AllowNetworkCheckin is off", setup: memberElsewhere(true, false),
			body: `{"email":"ola@example.com","pincode":"5555"}`, want: checkin.CodeInvalidCredentials},
		{name: "not across networks", setup: memberElsewhere(false, true),
			body: `{"email":"ola@example.com","pincode":"5555"}`, want: checkin.CodeInvalidCredentials},
		{name: "sign-up registers a network member here", setup: func(f *fixture) { memberElsewhere(true, true)(f); f.set("MembersSignUp", "True") },
			body: `{"email":"ola@example.com","pincode":"5555"}`, check: registeredHere("ola@example.com")},
	})
}

func TestCheckinPincode(t *testing.T) {
	runCheckinCases(t, []checkinCase{
		{name: "checks in the one member with the pincode", body: `{"pincode":"1234"}`, check: janeIn(checkin.SourceManual)},
		{name: "a pincode sent as a number", body: `{"pincode":1234}`, check: janeIn(checkin.SourceManual)},
		{name: "no member has it", body: `{"pincode":"9999"}`, want: checkin.CodeInvalidCredentials,
			check: refusedAbout(nil, checkin.SourceManual, "no member")},
		{name: "two members share it", setup: func(f *fixture) { f.member(memberSpec{name: "Twin", email: "twin@example.com", pincode: "1234"}) },
			body: `{"pincode":"1234"}`, want: checkin.CodeInvalidCredentials, check: refusedAbout(nil, checkin.SourceManual, "shared by 2")},
		{name: "a member of another location of the network does not count", setup: memberElsewhere(true, true),
			body: `{"pincode":"5555"}`, want: checkin.CodeInvalidCredentials},
		{name: "nor does sign-up reach one", setup: func(f *fixture) { memberElsewhere(true, true)(f); f.set("MembersSignUp", "True") },
			body: `{"pincode":"5555"}`, want: checkin.CodeInvalidCredentials, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				if n := len(all(f, checkin.Coworkers, f.db.Coworkers())); n != 2 {
					t.Errorf("coworkers = %d, want 2 (Jane, Ola): no one signed up", n)
				}
			}},
		{name: "an optional MAC shorter than 8 characters is ignored", body: `{"pincode":"1234","mac":"1234567"}`,
			check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				janeIn(checkin.SourceManual)(t, f, c)
				if got := f.lastCheckin().MacAddresses; got != nil && *got != "" {
					t.Errorf("MacAddresses = %q, want none", *got)
				}
			}},
		{name: "an optional MAC of 8 characters or more must be one", body: `{"pincode":"1234","mac":"12345678"}`, want: checkin.CodeMACNotReceived,
			check: refusedAbout(nil, checkin.SourceManual, "not a MAC")},
		{name: "switches unique pincodes on for every location of the network", setup: func(f *fixture) {
			f.location("beta", f.loc.NetworkID)
			f.location("gamma", 0)
		}, body: `{"pincode":"1234"}`, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
			want := map[string]bool{"acme": true, "beta": true, "gamma": false}
			for _, b := range all(f, checkin.Businesses, f.db.Businesses()) {
				on := false
				for _, s := range all(f, checkin.BusinessSettings, f.db.BusinessSettings()) {
					on = on || s.BusinessID == b.ID && s.Name == checkin.SettingGenerateUniquePincode && s.Value == "True"
				}
				if on != want[b.WebAddress] {
					t.Errorf("%s: Security.GenerateUniquePincode on = %v, want %v", b.WebAddress, on, want[b.WebAddress])
				}
			}
		}},
		{name: "a refused pincode switches unique pincodes on too", body: `{"pincode":"9999"}`, want: checkin.CodeInvalidCredentials,
			check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				twin := checkin.Coworkers.New()
				twin.BusinessID, twin.FullName, twin.Email, twin.AccessPincode = f.loc.ID, "Twin", "twin@example.com", janePincode
				if _, err := f.db.Coworkers().Create(f.ctx, twin); checkin.ErrorCode(err) != checkin.EINVALID {
					t.Errorf("a second member with Jane's pincode: err = %v, want refused", err)
				}
			}},
	})
}

// TestUniquePincodes: while Security.GenerateUniquePincode is on, no two
// members of a network share a pincode, and Security.AutoGeneratePincode
// gives new members one.
func TestUniquePincodes(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		beta := f.location("beta", f.loc.NetworkID)
		gamma := f.location("gamma", 0)
		f.set(checkin.SettingGenerateUniquePincode, "True")
		tests := []struct {
			business int64
			pincode  string
			wantErr  string
		}{
			{f.loc.ID, janePincode, checkin.EINVALID}, // the same location
			{beta.ID, janePincode, checkin.EINVALID},  // the same network
			{gamma.ID, janePincode, ""},               // another network
			{beta.ID, "4321", ""},
		}
		for i, tc := range tests {
			c := checkin.Coworkers.New()
			c.BusinessID, c.FullName, c.Email, c.AccessPincode = tc.business, "Member", "m"+string(rune('a'+i))+"@example.com", tc.pincode
			_, err := f.db.Coworkers().Create(f.ctx, c)
			if got := errCode(err); got != tc.wantErr {
				t.Errorf("pincode %s at %d: err = %v, want %q", tc.pincode, tc.business, err, tc.wantErr)
			}
		}
		// Saving Jane again with her own pincode is fine.
		jane := storetest.Must(f.db.Coworkers().Find(f.ctx, f.jane.ID))
		if err := f.db.Coworkers().Replace(f.ctx, jane); err != nil {
			t.Errorf("saving Jane unchanged: %v", err)
		}
		f.set(checkin.SettingAutoGeneratePincode, "True")
		seen := map[string]bool{janePincode: true, "4321": true}
		for i := range 5 {
			c := checkin.Coworkers.New()
			c.BusinessID, c.FullName, c.Email = f.loc.ID, "New", "new"+string(rune('a'+i))+"@example.com"
			got := storetest.Must(f.db.Coworkers().Find(f.ctx, storetest.Must(f.db.Coworkers().Create(f.ctx, c)))).AccessPincode
			if len(got) != 6 || !checkin.IsPincode(got) || seen[got] {
				t.Errorf("generated pincode %q: want 6 digits, unique", got)
			}
			seen[got] = true
		}
	})
}

func errCode(err error) string {
	if err == nil {
		return ""
	}
	return checkin.ErrorCode(err)
}
