package checkin

import "strings"

// AccessToken is a shared access code with a budget of minutes (Nexudus:
// a Wi-Fi access code). Checking in with it starts its clock; a disconnect
// subtracts the minutes used.
type AccessToken struct {
	BusinessID      int64  `json:"BusinessId" api:"required,ref=Business"`
	AccessCode      string `json:"AccessCode" api:"required"`
	Description     string `json:"Description"`
	MinutesIncluded int64  `json:"MinutesIncluded" api:"required"`
	MinutesLeft     *int64 `json:"MinutesLeft"`
	ValidFrom       *Time  `json:"ValidFrom"`
	ValidTo         *Time  `json:"ValidTo"`
	MacAddresses    string `json:"MacAddresses" api:"readonly,nocolumn"`
	LastAccess      *Time  `json:"LastAccess" api:"readonly"`
	Record
}

// AccessTokens declares the AccessToken entity.
var AccessTokens = Define[AccessToken](Schema{Name: "AccessToken", Path: "/api/spaces/accesstokens", Table: "access_tokens"})

// MaxTokenMinutes bounds a token's budget (about 100 years).
const MaxTokenMinutes = 100 * 366 * 24 * 60

// Validate normalises the record and checks its fields.
func (t *AccessToken) Validate() error {
	var v Validation
	t.AccessCode = strings.TrimSpace(t.AccessCode)
	t.Description = strings.TrimSpace(t.Description)
	v.Require("BusinessId", t.BusinessID == 0)
	switch {
	case t.AccessCode == "":
		v.Require("AccessCode", true)
	case len(t.AccessCode) > 64 || strings.ContainsAny(t.AccessCode, " \t\r\n"):
		v.Add("AccessCode", t.AccessCode, "must be at most 64 characters without spaces")
	}
	switch {
	case t.MinutesIncluded == 0:
		v.Require("MinutesIncluded", true)
	case t.MinutesIncluded < 0 || t.MinutesIncluded > MaxTokenMinutes:
		v.Add("MinutesIncluded", t.MinutesIncluded, "must be between 1 and %d", MaxTokenMinutes)
	}
	if t.MinutesLeft == nil {
		left := t.MinutesIncluded
		t.MinutesLeft = &left
	}
	if *t.MinutesLeft < 0 || *t.MinutesLeft > MaxTokenMinutes {
		v.Add("MinutesLeft", *t.MinutesLeft, "must be between 0 and %d", MaxTokenMinutes)
	}
	if t.ValidFrom != nil && t.ValidTo != nil && !t.ValidTo.After(t.ValidFrom.Time) {
		v.Add("ValidTo", t.ValidTo, "must be after ValidFrom")
	}
	return v.Err()
}

func (t *AccessToken) String() string {
	if t.Description != "" {
		return t.Description
	}
	return t.AccessCode
}

// Visitor host approval statuses (Nexudus: eHostApprovalStatus).
const (
	ApprovalNotRequired     = 1
	ApprovalRequested       = 2
	ApprovalRejected        = 3
	ApprovalAcceptedAndHold = 4
	ApprovalAcceptedGrant   = 5
)

// Visitor is a guest of a member. Their VisitorCode works as an access token
// once their host has approved the visit (or approval is not required).
type Visitor struct {
	BusinessID         int64  `json:"BusinessId" api:"required,ref=Business"`
	FullName           string `json:"FullName" api:"required"`
	Email              string `json:"Email"`
	CoworkerID         *int64 `json:"CoworkerId" api:"ref=Coworker"`
	HostApprovalStatus int64  `json:"HostApprovalStatus" api:"enum=HostApprovalStatus"`
	VisitorCode        string `json:"VisitorCode"`
	ExpectedArrival    *Time  `json:"ExpectedArrival"`
	CheckedInAt        *Time  `json:"CheckedInAt" api:"readonly"`
	Record
}

// Visitors declares the Visitor entity.
var Visitors = Define[Visitor](Schema{Name: "Visitor", Path: "/api/spaces/visitors", Table: "visitors"})

// SetDefaults marks a new visitor as not needing approval.
func (v *Visitor) SetDefaults() { v.HostApprovalStatus = ApprovalNotRequired }

// Validate normalises the record and checks its fields.
func (vis *Visitor) Validate() error {
	var v Validation
	vis.FullName = strings.TrimSpace(vis.FullName)
	vis.Email = NormalizeEmail(vis.Email)
	vis.VisitorCode = strings.TrimSpace(vis.VisitorCode)
	v.Require("BusinessId", vis.BusinessID == 0)
	v.Require("FullName", vis.FullName == "")
	if vis.Email != "" {
		validateEmail(&v, vis.Email)
	}
	if vis.HostApprovalStatus < ApprovalNotRequired || vis.HostApprovalStatus > ApprovalAcceptedGrant {
		v.Add("HostApprovalStatus", vis.HostApprovalStatus, "must be 1 (not required), 2 (requested), 3 (rejected), 4 or 5 (accepted)")
	}
	if len(vis.VisitorCode) > 64 || strings.ContainsAny(vis.VisitorCode, " \t\r\n") {
		v.Add("VisitorCode", vis.VisitorCode, "must be at most 64 characters without spaces")
	}
	if vis.CoworkerID != nil && *vis.CoworkerID <= 0 {
		vis.CoworkerID = nil
	}
	return v.Err()
}

func (vis *Visitor) String() string { return vis.FullName }

// Approved reports whether the visitor may use their code.
func (vis *Visitor) Approved() bool {
	switch vis.HostApprovalStatus {
	case ApprovalNotRequired, ApprovalAcceptedAndHold, ApprovalAcceptedGrant:
		return true
	}
	return false
}
