package checkin

import (
	"regexp"
	"strings"
	"sync"
	"time"
)

// Business is a location (Nexudus: Business). Its WebAddress is the
// subdomain that devices and members use to reach it; locations with the same
// NetworkId form a network.
type Business struct {
	Name       string `json:"Name" api:"required"`
	WebAddress string `json:"WebAddress" api:"required"`
	TimeZone   string `json:"TimeZone"`
	NetworkID  int64  `json:"NetworkId"`
	Record
}

// Businesses declares the Business entity.
var Businesses = Define[Business](Schema{Name: "Business", Path: "/api/sys/businesses", Table: "businesses"})

var webAddressPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Validate normalises the record and checks its fields.
func (b *Business) Validate() error {
	b.Name = strings.TrimSpace(b.Name)
	b.WebAddress = strings.ToLower(strings.TrimSpace(b.WebAddress))
	b.TimeZone = strings.TrimSpace(b.TimeZone)
	if b.TimeZone == "" {
		b.TimeZone = "UTC"
	}
	var v Validation
	v.Require("Name", b.Name == "")
	switch {
	case b.WebAddress == "":
		v.Require("WebAddress", true)
	case !webAddressPattern.MatchString(b.WebAddress):
		v.Add("WebAddress", b.WebAddress, "may hold only a-z, 0-9 and '-', must not start or end with '-', and is at most 63 characters")
	}
	if _, err := LoadLocation(b.TimeZone); err != nil {
		v.Add("TimeZone", b.TimeZone, "is not an IANA time zone such as Europe/London")
	}
	if b.NetworkID < 0 {
		v.Add("NetworkId", b.NetworkID, "must be a network id")
	}
	return v.Err()
}

// Location returns the business's time zone; UTC if it cannot be loaded.
func (b *Business) Location() *time.Location {
	loc, err := LoadLocation(b.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

func (b *Business) String() string { return b.Name }

var locations sync.Map // name → *time.Location

// LoadLocation is time.LoadLocation with a cache; "" is UTC.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if strings.EqualFold(name, "local") {
		return nil, Errorf(EINVALID, "the server's local time zone is not a location's time zone")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, loc)
	return loc, nil
}
