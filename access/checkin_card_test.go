package access_test

import (
	"testing"

	"github.com/checkin-oss/checkin"
)

func TestCheckinCard(t *testing.T) {
	runCheckinCases(t, []checkinCase{
		{name: "the first of the member's cards", body: `{"accessCardId":"CARD-1"}`, check: janeIn(checkin.SourceDoorAccess)},
		{name: "another of the comma-separated cards, in another case", body: `{"accessCardId":"Card-2"}`, check: janeIn(checkin.SourceDoorAccess)},
		{name: "an unknown card", body: `{"accessCardId":"CARD-404"}`, want: checkin.CodeInvalidCardNumber,
			check: refusedAbout(nil, checkin.SourceDoorAccess, "CARD-404")},
		{name: "a part of a card is not the card", body: `{"accessCardId":"CARD"}`, want: checkin.CodeInvalidCardNumber},
		{name: "the member's cards as one string are not a card", body: `{"accessCardId":"CARD-1,card-2"}`, want: checkin.CodeInvalidCardNumber},
		{name: "a network member's card where AllowNetworkCheckin is on", setup: memberElsewhere(true, true),
			body: `{"accessCardId":"CARD-OLA"}`, check: checkedInByEmail("ola@example.com", false)},
		{name: "a network member's card where it is off", setup: memberElsewhere(true, false),
			body: `{"accessCardId":"CARD-OLA"}`, want: checkin.CodeInvalidCardNumber},
		{name: "sign-up registers the network member here", setup: func(f *fixture) { memberElsewhere(true, true)(f); f.set("MembersSignUp", "True") },
			body: `{"accessCardId":"CARD-OLA"}`, check: registeredHere("ola@example.com")},
		{name: "sign-up registers a network member who may not check in network-wide", setup: func(f *fixture) {
			memberElsewhere(true, false)(f)
			f.set("MembersSignUp", "True")
		}, body: `{"accessCardId":"CARD-OLA"}`, check: registeredHere("ola@example.com")},
		{name: "sign-up does not reach another network's cards", setup: func(f *fixture) { memberElsewhere(false, true)(f); f.set("MembersSignUp", "True") },
			body: `{"accessCardId":"CARD-OLA"}`, want: checkin.CodeInvalidCardNumber},
	})
}

func TestCheckinDevice(t *testing.T) {
	runCheckinCases(t, []checkinCase{
		{name: "the member's device in any spelling", body: `{"mac":"aabb.ccdd.ee01"}`, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
			janeIn(checkin.SourceNetworkActivity)(t, f, c)
			if got := f.lastCheckin().MacAddresses; got == nil || *got != janeDevice {
				t.Errorf("MacAddresses = %v, want %s", got, janeDevice)
			}
		}},
		{name: "with the member's email", body: `{"mac":"AA-BB-CC-DD-EE-01","email":"jane@example.com"}`, check: janeIn(checkin.SourceNetworkActivity)},
		{name: "with another member's email", body: `{"mac":"AA-BB-CC-DD-EE-01","email":"nobody@example.com"}`, want: checkin.CodeNoAccessToSpace},
		{name: "an unknown device", body: `{"mac":"AA:BB:CC:DD:EE:77"}`, want: checkin.CodeNoAccessToSpace,
			check: refusedAbout(nil, checkin.SourceNetworkActivity, "AA:BB:CC:DD:EE:77")},
		{name: "DisableAutoChecking", setup: func(f *fixture) { f.set("DisableAutoChecking", "True") },
			body: `{"mac":"AA:BB:CC:DD:EE:01"}`, want: checkin.CodeNoAccessToSpace, check: refusedAbout(nil, checkin.SourceNetworkActivity, "disabled")},
		{name: "Security.DisableAutoChecking", setup: func(f *fixture) { f.set("Security.DisableAutoChecking", "true") },
			body: `{"mac":"AA:BB:CC:DD:EE:01"}`, want: checkin.CodeNoAccessToSpace},
		{name: "a device of two members, without email", setup: twinDevice, body: `{"mac":"AA:BB:CC:DD:EE:01"}`, want: checkin.CodeNoAccessToSpace,
			check: refusedAbout(nil, checkin.SourceNetworkActivity, "2 users")},
		{name: "a device of two members, with email", setup: twinDevice, body: `{"mac":"AA:BB:CC:DD:EE:01","email":"jane@example.com"}`,
			check: janeIn(checkin.SourceNetworkActivity)},
		{name: "sign-up registers the device's user", setup: func(f *fixture) { memberElsewhere(false, false)(f); f.set("MembersSignUp", "True") },
			body: `{"mac":"AA:BB:CC:DD:EE:0A"}`, check: registeredHere("ola@example.com")},
		{name: "a MAC shorter than 8 characters", body: `{"mac":"AA:BB:C"}`, want: checkin.CodeMACNotReceived,
			check: refusedAbout(nil, checkin.SourceNetworkActivity, "shorter")},
		{name: "a MAC that is not one", body: `{"mac":"not-a-mac-address"}`, want: checkin.CodeMACNotReceived},
	})
}

// twinDevice gives a second user Jane's device.
func twinDevice(f *fixture) {
	f.member(memberSpec{name: "Twin", email: "twin@example.com", devices: janeDevice})
}
