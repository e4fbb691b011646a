package checkin

import (
	"context"
	"time"
)

// CheckinRequest is the body of POST /api/public/checkin (Nexudus's
// CheckInRequest).
type CheckinRequest struct {
	Email        string `json:"email"`
	Password     string `json:"password"`
	Pincode      string `json:"pincode"`
	MAC          string `json:"mac"`
	Token        string `json:"token"`
	AccessCardID string `json:"accessCardId"`
	Disconnect   bool   `json:"disconnect"`
	Toggle       bool   `json:"toggle"`
	DoNotCheckIn bool   `json:"doNotCheckIn"`
	// Source, when set, is recorded instead of the method's own: a RADIUS
	// login by email and password is network activity. Never read from JSON.
	Source int64 `json:"-"`

	// DoorID, set by the door routes (never by a body), names the door
	// that asks: it is stored on the check-in and the FailedCheckin.
	DoorID int64 `json:"-"`

	// At, set by the RADIUS server (never by a body) on a disconnect, is
	// when the device left, when earlier than now: the check-out and the
	// token's minutes are counted to then.
	At time.Time `json:"-"`
}

// Refusal codes of the check-in endpoint, as in the spec's table.
const (
	CodeInvalidRequestData      = "INVALID_REQUEST_DATA"
	CodeInvalidAccountSubdomain = "INVALID_ACCOUNT_SUBDOMAIN"
	CodeInvalidAccessToken      = "INVALID_ACCESS_TOKEN"
	CodeVisitorNotApproved      = "VISITOR_NOT_APPROVED"
	CodeMACNotReceived          = "MAC_NOT_RECEIVED"
	CodeTokenDepleted           = "TOKEN_DEPLETED"
	CodeInvalidCardNumber       = "INVALID_CARD_NUMBER"
	CodeInvalidCredentials      = "INVALID_CREDENTIALS"
	CodeMissingCustomer         = "MISSING_CUSTOMER"
	CodeDeviceLimitReached      = "DEVICE_LIMIT_REACHED"
	CodeNoAccessToSpace         = "NO_ACCESS_TO_SPACE"
	// CodeTooManyAttempts answers a throttled attempt (429): it was not
	// decided, and records no FailedCheckin.
	CodeTooManyAttempts = "TOO_MANY_ATTEMPTS"
)

// RefusalMessages are the spec's messages, word for word; the spec cuts
// DEVICE_LIMIT_REACHED's short, so its sentence is finished here.
var RefusalMessages = map[string]string{
	CodeInvalidRequestData:      "Invalid request data",
	CodeInvalidAccountSubdomain: "You passed a invalid account subdomain",
	CodeInvalidAccessToken:      "Access token is not valid.",
	CodeVisitorNotApproved:      "Visitor has not yet been approved by host.",
	CodeMACNotReceived:          "MAC address was not received.",
	CodeTokenDepleted:           "This token has been used completely.",
	CodeInvalidCardNumber:       "Invalid card number.",
	CodeInvalidCredentials:      "Invalid username or password",
	CodeMissingCustomer:         "This user does not have a member linked to it.",
	CodeDeviceLimitReached:      "You can’t register a new device: you have reached the maximum number of devices allowed.",
	CodeNoAccessToSpace:         "Coworker does not have access to this space",
	CodeTooManyAttempts:         "Too many failed attempts; try again later.",
}

// Confirmation is the endpoint's answer (Nexudus's ActionConfirmation).
type Confirmation struct {
	WasSuccessful bool                `json:"wasSuccessful"`
	Message       string              `json:"message"`
	Value         *Session            `json:"value,omitempty"`
	Errors        []ConfirmationError `json:"errors,omitempty"`
}

// Session is a confirmation's value: who, and until when.
type Session struct {
	FullName       *string `json:"fullName,omitempty"`
	CoworkerID     *int64  `json:"coworkerId,omitempty"`
	TunnelID       *string `json:"tunnelId,omitempty"`
	CheckedIn      *bool   `json:"checkedIn,omitempty"`
	SessionExpire  string  `json:"sessionExpire"`
	SessionTimeOut int64   `json:"sessionTimeOut"`
}

// ConfirmationError names a refusal's code.
type ConfirmationError struct {
	PropertyName string `json:"propertyName"`
	Message      string `json:"message"`
}

// Refusal returns the confirmation of a refusal with the given code and,
// when message is empty, the code's own message.
func Refusal(code, message string) Confirmation {
	if message == "" {
		message = RefusalMessages[code]
	}
	return Confirmation{Message: message, Errors: []ConfirmationError{{PropertyName: "EventCheckIn", Message: code}}}
}

// Person is a user as a check-in decision sees it.
type Person struct {
	ID           int64
	Email        string
	FullName     string
	PasswordHash string
}

// Member is a coworker profile as a check-in decision sees it, with its plan.
type Member struct {
	CoworkerID          int64
	UserID              int64
	BusinessID          int64
	FullName            string
	Email               string
	AccessPincode       string
	Active              bool
	AllowNetworkCheckin bool
	TariffID            *int64
	TariffName          *string
	TariffActive        bool // true when the member has no plan
	MonthLimit          *int64
	WeekLimit           *int64
}

// Token is an access token as a check-in decision sees it.
type Token struct {
	ID          int64
	BusinessID  int64
	Code        string
	Description string
	MinutesLeft int64
	ValidFrom   *time.Time
	ValidTo     *time.Time
	LastAccess  *time.Time
	Running     bool // a session is using the token's minutes since LastAccess
	VisitorID   *int64
}

// ValidAt reports whether now falls within the token's validity window.
func (t *Token) ValidAt(now time.Time) bool {
	return (t.ValidFrom == nil || !now.Before(*t.ValidFrom)) && (t.ValidTo == nil || now.Before(*t.ValidTo))
}

// MinutesLeftAt is the token's budget at a time: while a session runs,
// the minutes since its last access are used, every started minute
// counting.
func (t *Token) MinutesLeftAt(at time.Time) int64 {
	if !t.Running || t.LastAccess == nil {
		return t.MinutesLeft
	}
	used := at.Sub(*t.LastAccess)
	if used <= 0 {
		return t.MinutesLeft
	}
	return max(0, t.MinutesLeft-int64((used+time.Minute-1)/time.Minute))
}

// SessionEnd is when the token's session ends: its last access plus its
// minutes (from now for a session not yet started), never past ValidTo.
func (t *Token) SessionEnd(now time.Time) time.Time {
	start := now
	if t.Running && t.LastAccess != nil {
		start = *t.LastAccess
	}
	end := start.Add(time.Duration(t.MinutesLeft) * time.Minute)
	if t.ValidTo != nil && t.ValidTo.Before(end) {
		end = *t.ValidTo
	}
	return end
}

// OpenCheckin is a check-in that has not ended.
type OpenCheckin struct {
	ID           int64
	FromTime     time.Time
	BusinessDay  string
	MacAddresses string
	LastActivity time.Time
}

// CheckinStore runs check-in decisions.
type CheckinStore interface {
	// Decide builds a view of the database, calls decide on it and applies
	// the effects it returns, in order, in one transaction. When the view
	// may have gone stale before the effects are applied, decide is called
	// again on a view read under lock in that transaction; so decide must
	// depend on nothing but its view.
	Decide(ctx context.Context, decide func(v DecisionView) ([]Effect, error)) error
	// PersonByEmail reads a user for a password check, outside any
	// transaction: the hash is slow by design. It returns nil when none.
	PersonByEmail(ctx context.Context, email string) (*Person, error)
	// RehashPassword stores newHash, of the same password, for a user whose
	// hash oldHash was made with other parameters (secret.Upgrade), unless
	// the hash has changed meanwhile. A failure is the store's to log: the
	// check-in it follows is decided, and the next one tries again.
	RehashPassword(ctx context.Context, userID int64, oldHash, newHash string)
}

// DecisionView is what a check-in decision reads. It only reads: what the
// decision changes it returns as effects. Methods that find one record
// return nil when there is none.
type DecisionView interface {
	Now() time.Time
	Settings(businessID int64) (Settings, error)

	PersonByEmail(email string) (*Person, error)
	PersonsByDevice(mac string) ([]Person, error)
	// Profiles returns a user's coworker profiles at the locations of a network.
	Profiles(userID, networkID int64) ([]Member, error)
	HasAnyProfile(userID int64) (bool, error)
	MembersByPincode(businessID int64, pincode string) ([]Member, error)
	// MembersByCard returns the profiles holding a card at the locations of a network.
	MembersByCard(networkID int64, card string) ([]Member, error)
	// Member reads a profile afresh. Under lock, the profile's row is
	// locked against concurrent decisions.
	Member(coworkerID int64) (*Member, error)
	// Devices returns a user's devices. Under lock, the user's row is
	// locked first, so that two new devices cannot both take the last place.
	Devices(userID int64) ([]string, error)

	OpenCheckin(coworkerID, businessID int64) (*OpenCheckin, error)
	// OpenCheckinsOf returns the open check-ins at a location of the members
	// that are the given users, oldest first.
	OpenCheckinsOf(userIDs []int64, businessID int64) ([]MemberCheckin, error)
	// DaysCheckedIn returns the distinct business days, from first to last
	// inclusive, on which a member has check-ins that count towards plan limits.
	DaysCheckedIn(coworkerID int64, first, last string) ([]string, error)

	TokenByCode(businessID int64, code string) (*Token, error)
	VisitorByCode(businessID int64, code string) (*Visitor, error)
	// VisitorToken returns the token of a visitor's code, nil before its first use.
	VisitorToken(visitorID int64) (*Token, error)
	TokensByDevice(businessID int64, mac string) ([]Token, error)
	// Token reads a token afresh; under lock, its row is locked.
	Token(id int64) (*Token, error)
	HasTokenDevice(tokenID int64, mac string) (bool, error)
	OpenTokenCheckin(tokenID int64) (*OpenCheckin, error)
}

// MemberCheckin is a member's open check-in, with who they are.
type MemberCheckin struct {
	ID         int64
	CoworkerID int64
	FullName   string
}
