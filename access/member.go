package access

import (
	"fmt"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/secret"
)

// member finds the member profile a credential method names at this
// location, or refuses.
func (d *decision) member() (*checkin.Member, error) {
	switch d.method {
	case MethodPassword:
		return d.memberByPassword()
	case MethodEmailPincode:
		return d.memberByEmailPincode()
	case MethodPincode:
		return d.memberByPincode()
	case MethodCard:
		return d.memberByCard()
	case MethodMAC:
		return d.memberByDevice()
	}
	return nil, fmt.Errorf("access: no member method for %s", d.method)
}

func (d *decision) memberByPassword() (*checkin.Member, error) {
	if d.passwordFailed || d.person == nil {
		r := refuse(checkin.CodeInvalidCredentials, "Wrong email or password for "+d.plan.email+".")
		r.identity = d.plan.email
		return nil, r
	}
	m, err := d.profileHere(d.person, nil)
	if err != nil {
		return nil, err
	}
	return m, d.checkDevice(m)
}

// profileHere returns the user's profile at this location; else, when
// MembersSignUp is on, a new one; else their profile at another location of
// the network that allows network check-in. Among the candidates, match
// (when not nil) keeps those a credential fits.
func (d *decision) profileHere(p *checkin.Person, match func(*checkin.Member) bool) (*checkin.Member, error) {
	profiles, err := d.view.Profiles(p.ID, d.loc.NetworkID)
	if err != nil {
		return nil, err
	}
	var local, network []*checkin.Member
	for i := range profiles {
		m := &profiles[i]
		switch {
		case match != nil && !match(m):
		case m.BusinessID == d.loc.ID:
			local = append(local, m)
		case m.AllowNetworkCheckin:
			network = append(network, m)
		}
	}
	switch {
	case len(local) > 0:
		return local[0], nil
	case match != nil && len(network) == 0:
		r := refuse(checkin.CodeInvalidCredentials, "Wrong email or pincode for "+p.Email+".")
		r.identity = p.Email
		return nil, r
	case d.settings.MembersSignUp:
		return d.signUp(p)
	case len(network) > 0:
		return network[0], nil
	}
	hasProfile, err := d.view.HasAnyProfile(p.ID)
	if err != nil {
		return nil, err
	}
	if !hasProfile {
		return nil, refuse(checkin.CodeMissingCustomer, fmt.Sprintf("User %s has no member profile; sign-up (MembersSignUp) is off at this location.", p.Email))
	}
	return nil, refuse(checkin.CodeNoAccessToSpace, fmt.Sprintf("User %s is not a member of this location (and has no profile elsewhere in the network that allows network check-in); sign-up (MembersSignUp) is off.", p.Email))
}

// signUp gives the user a new profile here: active, with no plan. Under
// doNotCheckIn nothing is registered; otherwise the store creates the
// profile and fills in its ids.
func (d *decision) signUp(p *checkin.Person) (*checkin.Member, error) {
	m := &checkin.Member{UserID: p.ID, BusinessID: d.loc.ID, FullName: p.FullName, Email: p.Email, Active: true, TariffActive: true}
	if !d.req.DoNotCheckIn {
		d.do(checkin.SignUp{BusinessID: d.loc.ID, Person: p, Member: m})
	}
	return m, nil
}

func (d *decision) memberByEmailPincode() (*checkin.Member, error) {
	p, err := d.view.PersonByEmail(d.plan.email)
	if err != nil {
		return nil, err
	}
	if p == nil {
		r := refuse(checkin.CodeInvalidCredentials, "No user has the email "+d.plan.email+".")
		r.identity = d.plan.email
		return nil, r
	}
	pincode := trimmed(d.req.Pincode)
	return d.profileHere(p, func(m *checkin.Member) bool {
		return m.AccessPincode != "" && secret.Equal(m.AccessPincode, pincode)
	})
}

// memberByPincode finds the one member of this location with the pincode.
// Using pincode-only check-in turns Security.GenerateUniquePincode on for
// every location of the network, so that pincodes stay unique from now on.
func (d *decision) memberByPincode() (*checkin.Member, error) {
	if !d.settings.GenerateUniquePincode && !d.req.DoNotCheckIn {
		d.do(checkin.EnableUniquePincodes{NetworkID: d.loc.NetworkID})
	}
	members, err := d.view.MembersByPincode(d.loc.ID, trimmed(d.req.Pincode))
	if err != nil {
		return nil, err
	}
	switch len(members) {
	case 1:
		return &members[0], nil
	case 0:
		return nil, refuse(checkin.CodeInvalidCredentials, "No member of this location has the pincode entered.")
	}
	return nil, refuse(checkin.CodeInvalidCredentials, fmt.Sprintf("The pincode entered is shared by %d members of this location, so it identifies no one; give them unique pincodes.", len(members)))
}

// memberByCard finds the member holding the card: at this location, else at
// another location of the network that allows network check-in. With
// sign-up on, the one member of the network holding the card is registered
// here whether or not their profile allows network check-in, as a user
// checking in by password or device would be.
func (d *decision) memberByCard() (*checkin.Member, error) {
	card := checkin.NormalizeCard(d.req.AccessCardID)
	members, err := d.view.MembersByCard(d.loc.NetworkID, card)
	if err != nil {
		return nil, err
	}
	var network []*checkin.Member
	for i := range members {
		m := &members[i]
		if m.BusinessID == d.loc.ID {
			return m, nil
		}
		if m.AllowNetworkCheckin {
			network = append(network, m)
		}
	}
	r := refuse(checkin.CodeInvalidCardNumber, "")
	r.identity = card
	switch {
	case len(network) == 1:
		return d.networkMember(network[0])
	case len(network) == 0 && len(members) == 1 && d.settings.MembersSignUp:
		return d.networkMember(&members[0])
	case len(network) > 1:
		r.description = fmt.Sprintf("Card %s belongs to %d members of other locations of the network, so it identifies no one.", card, len(network))
	case len(members) > 0:
		r.description = fmt.Sprintf("Card %s belongs to a member of another location who may not check in across the network.", card)
	default:
		r.description = fmt.Sprintf("Card %s is not registered to any member.", card)
	}
	return nil, r
}

// networkMember is a member of another location of the network checking in
// here: with sign-up on, they get a profile of their own here.
func (d *decision) networkMember(m *checkin.Member) (*checkin.Member, error) {
	if !d.settings.MembersSignUp {
		return m, nil
	}
	return d.signUp(&checkin.Person{ID: m.UserID, Email: m.Email, FullName: m.FullName})
}

// memberByDevice finds the member whose registered device has the MAC
// (and, when the request names one, the email).
func (d *decision) memberByDevice() (*checkin.Member, error) {
	if d.settings.DisableAutoChecking {
		r := noAccess("automatic check-in by device is disabled at this location", "Device "+d.plan.mac+" asked for automatic check-in, which is disabled here (DisableAutoChecking).")
		r.identity = d.plan.mac
		return nil, r
	}
	persons, err := d.view.PersonsByDevice(d.plan.mac)
	if err != nil {
		return nil, err
	}
	if d.plan.email != "" {
		persons = filterPersons(persons, func(p checkin.Person) bool { return p.Email == d.plan.email })
	}
	switch len(persons) {
	case 1:
		return d.profileHere(&persons[0], nil)
	case 0:
		r := noAccess("this device is not registered to any member", "Device "+d.plan.mac+" is not registered to any member")
		if d.plan.email != "" {
			r = noAccess("this device is not registered to that member", "Device "+d.plan.mac+" is not registered to "+d.plan.email)
		}
		r.description += "."
		r.identity = d.plan.mac
		return nil, r
	}
	r := noAccess("this device is registered to several members; send the member's email too", fmt.Sprintf("Device %s is registered to %d users; the request named no email to choose between them.", d.plan.mac, len(persons)))
	r.identity = d.plan.mac
	return nil, r
}

func filterPersons(ps []checkin.Person, keep func(checkin.Person) bool) []checkin.Person {
	var out []checkin.Person
	for _, p := range ps {
		if keep(p) {
			out = append(out, p)
		}
	}
	return out
}

// checkDevice applies the device limit to the password method's MAC: a
// device new to the user is registered if the user holds fewer than
// Checkin.DeviceCountLimit devices.
func (d *decision) checkDevice(m *checkin.Member) error {
	if d.plan.mac == "" {
		return nil
	}
	devices, err := d.view.Devices(m.UserID)
	if err != nil {
		return err
	}
	for _, mac := range devices {
		if mac == d.plan.mac {
			return nil
		}
	}
	if len(devices) >= d.settings.DeviceCountLimit {
		r := refuse(checkin.CodeDeviceLimitReached, fmt.Sprintf("Device %s was not registered: %s already has %d devices, the limit (Checkin.DeviceCountLimit) is %d.",
			d.plan.mac, m.Email, len(devices), d.settings.DeviceCountLimit))
		r.member, r.identity = m, m.Email
		return r
	}
	d.newDevice = true
	return nil
}
