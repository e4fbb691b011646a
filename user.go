package checkin

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// User is a person who can sign in: a member (through their coworker
// profiles) or an administrator. Passwords are write-only and kept hashed.
type User struct {
	Email    string   `json:"Email" api:"required"`
	FullName string   `json:"FullName"`
	Password string   `json:"Password,omitempty" api:"nocolumn,writeonly"`
	IsAdmin  bool     `json:"IsAdmin"`
	Roles    []string `json:"Roles,omitzero"`
	// Businesses limits the user to those locations; empty means every one.
	Businesses []int64 `json:"Businesses,omitzero"`
	Devices    string  `json:"Devices" api:"nocolumn,credential"`
	Record
}

// Users declares the User entity.
var Users = Define[User](Schema{Name: "User", Path: "/api/sys/users", Table: "users"})

// MinPasswordLength is the shortest password a user may set.
const MinPasswordLength = 8

// Validate normalises the record and checks its fields.
func (u *User) Validate() error {
	var v Validation
	u.Email = NormalizeEmail(u.Email)
	u.FullName = strings.TrimSpace(u.FullName)
	validateEmail(&v, u.Email)
	validatePassword(&v, u.Password)
	for i, r := range u.Roles {
		role, ok := CanonicalRole(r)
		if !ok {
			v.Add("Roles", r, "is not a role such as FailedCheckin-Read ({Entity}-{List|Read|Create|Edit|Delete})")
			continue
		}
		u.Roles[i] = role
	}
	slices.Sort(u.Businesses)
	u.Businesses = slices.Compact(u.Businesses)
	for _, b := range u.Businesses {
		if b <= 0 {
			v.Add("Businesses", b, "must be the ids of locations")
		}
	}
	if devices, err := ParseMACList(u.Devices); err != nil {
		v.Add("Devices", u.Devices, "%s", err.Error())
	} else {
		u.Devices = strings.Join(devices, ",")
	}
	return v.Err()
}

func (u *User) String() string {
	if u.FullName != "" {
		return u.FullName
	}
	return u.Email
}

// HasRole reports whether the user may perform action on entity: an
// administrator may do anything; others need the role "Entity-Action".
func (u *User) HasRole(entity, action string) bool {
	if u.IsAdmin {
		return true
	}
	want := entity + "-" + action
	for _, r := range u.Roles {
		if strings.EqualFold(r, want) {
			return true
		}
	}
	return false
}

// Scope returns the locations the user is limited to: nil when the user
// may see every location (an administrator, or no Businesses).
func (u *User) Scope() []int64 {
	if u == nil || u.IsAdmin || len(u.Businesses) == 0 {
		return nil
	}
	return u.Businesses
}

// InScope reports whether the user may see records of the location.
func (u *User) InScope(businessID int64) bool {
	scope := u.Scope()
	return scope == nil || slices.Contains(scope, businessID)
}

// Role actions, one per admin endpoint.
const (
	ActionList   = "List"
	ActionRead   = "Read"
	ActionCreate = "Create"
	ActionEdit   = "Edit"
	ActionDelete = "Delete"
)

// CanonicalRole spells a role name as the service does ("FailedCheckin-Read")
// and reports whether it names a known entity and action.
func CanonicalRole(role string) (string, bool) {
	entity, action, ok := strings.Cut(strings.TrimSpace(role), "-")
	s := Lookup(entity)
	if !ok || s == nil {
		return "", false
	}
	for _, a := range []string{ActionList, ActionRead, ActionCreate, ActionEdit, ActionDelete} {
		if strings.EqualFold(a, action) {
			return s.Name + "-" + a, true
		}
	}
	return "", false
}

// NormalizeEmail trims and lower-cases an email address; emails match
// case-insensitively everywhere.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func validateEmail(v *Validation, email string) {
	local, domain, ok := strings.Cut(email, "@")
	switch {
	case email == "":
		v.Require("Email", true)
	case !ok || local == "" || domain == "" || strings.ContainsAny(email, " \t\r\n,;<>") || strings.Contains(domain, "@") || len(email) > 254:
		v.Add("Email", email, "is not an email address such as jane@example.com")
	}
}

func validatePassword(v *Validation, password string) {
	if password != "" && utf8.RuneCountInString(password) < MinPasswordLength {
		v.Add("Password", nil, "must be at least %d characters", MinPasswordLength)
	}
	if len(password) > 1024 {
		v.Add("Password", nil, "must be at most 1024 bytes")
	}
}
