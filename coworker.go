package checkin

import (
	"slices"
	"strings"
)

// Coworker is a member's profile at one location (Nexudus: Coworker). A user
// has at most one profile per location. Email links the profile to its user.
type Coworker struct {
	BusinessID          int64   `json:"BusinessId" api:"required,ref=Business"`
	FullName            string  `json:"FullName" api:"required"`
	Email               string  `json:"Email" api:"required"`
	Password            string  `json:"Password,omitempty" api:"nocolumn,writeonly"`
	UserID              int64   `json:"UserId" api:"readonly,ref=User"`
	CompanyName         string  `json:"CompanyName"`
	MobilePhone         string  `json:"MobilePhone"`
	AccessPincode       string  `json:"AccessPincode" api:"credential"`
	AccessCardID        string  `json:"AccessCardId" api:"credential"`
	KeyFobNumber        string  `json:"KeyFobNumber" api:"credential"`
	AllowNetworkCheckin bool    `json:"AllowNetworkCheckin"`
	Active              bool    `json:"Active"`
	Archived            bool    `json:"Archived"`
	TariffID            *int64  `json:"TariffId" api:"ref=Tariff"`
	Teams               []int64 `json:"Teams,omitzero"`
	Record
}

// Coworkers declares the Coworker entity.
var Coworkers = Define[Coworker](Schema{Name: "Coworker", Path: "/api/spaces/coworkers", Table: "coworkers"})

// SetDefaults makes a new coworker active.
func (c *Coworker) SetDefaults() { c.Active = true }

// MaxPincodeLength is the longest pincode accepted.
const MaxPincodeLength = 16

// Validate normalises the record and checks its fields.
func (c *Coworker) Validate() error {
	var v Validation
	c.FullName = strings.TrimSpace(c.FullName)
	c.Email = NormalizeEmail(c.Email)
	c.AccessPincode = strings.TrimSpace(c.AccessPincode)
	v.Require("BusinessId", c.BusinessID == 0)
	v.Require("FullName", c.FullName == "")
	validateEmail(&v, c.Email)
	validatePassword(&v, c.Password)
	if c.AccessPincode != "" && !IsPincode(c.AccessPincode) {
		v.Add("AccessPincode", c.AccessPincode, "must be 1 to %d digits", MaxPincodeLength)
	}
	cards := ParseCardList(c.AccessCardID)
	for _, card := range cards {
		if len(card) > 64 {
			v.Add("AccessCardId", card, "each card number must be at most 64 characters")
		}
	}
	c.AccessCardID = strings.Join(cards, ",")
	c.KeyFobNumber = NormalizeCard(c.KeyFobNumber)
	switch {
	case len(c.KeyFobNumber) > 64:
		v.Add("KeyFobNumber", c.KeyFobNumber, "must be at most 64 characters")
	case strings.Contains(c.KeyFobNumber, ","):
		v.Add("KeyFobNumber", c.KeyFobNumber, "is one card number: more go in AccessCardId, comma-separated")
	}
	c.CompanyName, c.MobilePhone = strings.TrimSpace(c.CompanyName), strings.TrimSpace(c.MobilePhone)
	if c.TariffID != nil && *c.TariffID <= 0 {
		c.TariffID = nil
	}
	return v.Err()
}

func (c *Coworker) String() string { return c.FullName }

// Cards returns the coworker's access card numbers, the key fob's among
// them: a card reader matches either.
func (c *Coworker) Cards() []string {
	cards := ParseCardList(c.AccessCardID)
	if fob := NormalizeCard(c.KeyFobNumber); fob != "" && !slices.Contains(cards, fob) {
		cards = append(cards, fob)
	}
	return cards
}

// IsPincode reports whether s is a well-formed pincode: digits only.
func IsPincode(s string) bool {
	if s == "" || len(s) > MaxPincodeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizeCard spells a card number as it is stored and matched: trimmed and
// upper-cased, so that readers that differ in case match one another.
func NormalizeCard(card string) string { return strings.ToUpper(strings.TrimSpace(card)) }

// ParseCardList reads a comma-separated list of card numbers.
func ParseCardList(s string) []string {
	cards := SplitList(strings.ToUpper(s))
	return cards
}

// Team is a group of coworkers at one location.
type Team struct {
	BusinessID int64  `json:"BusinessId" api:"required,ref=Business"`
	Name       string `json:"Name" api:"required"`
	Record
}

// Teams declares the Team entity.
var Teams = Define[Team](Schema{Name: "Team", Path: "/api/spaces/teams", Table: "teams"})

// Validate normalises the record and checks its fields.
func (t *Team) Validate() error {
	var v Validation
	t.Name = strings.TrimSpace(t.Name)
	v.Require("BusinessId", t.BusinessID == 0)
	v.Require("Name", t.Name == "")
	return v.Err()
}

func (t *Team) String() string { return t.Name }

// Tariff is a plan. It may limit the number of distinct business days a
// member checks in per calendar month or ISO week.
type Tariff struct {
	BusinessID        int64  `json:"BusinessId" api:"required,ref=Business"`
	Name              string `json:"Name" api:"required"`
	Active            bool   `json:"Active"`
	CheckinMonthLimit *int64 `json:"CheckinMonthLimit"`
	CheckinWeekLimit  *int64 `json:"CheckinWeekLimit"`
	Record
}

// Tariffs declares the Tariff entity.
var Tariffs = Define[Tariff](Schema{Name: "Tariff", Path: "/api/billing/tariffs", Table: "tariffs"})

// SetDefaults makes a new tariff active.
func (t *Tariff) SetDefaults() { t.Active = true }

// Validate normalises the record and checks its fields.
func (t *Tariff) Validate() error {
	var v Validation
	t.Name = strings.TrimSpace(t.Name)
	v.Require("BusinessId", t.BusinessID == 0)
	v.Require("Name", t.Name == "")
	if t.CheckinMonthLimit != nil && (*t.CheckinMonthLimit < 0 || *t.CheckinMonthLimit > 31) {
		v.Add("CheckinMonthLimit", *t.CheckinMonthLimit, "must be between 0 and 31 days")
	}
	if t.CheckinWeekLimit != nil && (*t.CheckinWeekLimit < 0 || *t.CheckinWeekLimit > 7) {
		v.Add("CheckinWeekLimit", *t.CheckinWeekLimit, "must be between 0 and 7 days")
	}
	return v.Err()
}

func (t *Tariff) String() string { return t.Name }
