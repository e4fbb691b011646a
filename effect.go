package checkin

import "time"

// An Effect is one change a check-in decision makes. The store applies a
// decision's effects in order, in one transaction, and stores the event of
// each check-in, check-out and FailedCheckin in it too. An effect that
// creates a record (a profile, a visitor's token) sets its ID through the
// pointer it holds, so the effects after it and the decision's answer,
// which hold the same pointer, see the ID once the effects are applied.
type Effect interface{ isEffect() }

// StartCheckin opens a check-in. The store records the member's name,
// teams and plan as they are now; TokenID names the access token of a
// token session.
type StartCheckin struct {
	Checkin *Checkin
	TokenID *int64
}

// TouchCheckin refreshes an open check-in's last activity and MACs.
type TouchCheckin struct {
	ID   int64
	MACs string
}

// CloseCheckin ends an open check-in of a location at a time; Auto marks
// the daily cut-off. A check-in that has already ended is left as it is.
type CloseCheckin struct {
	ID         int64
	BusinessID int64
	At         time.Time
	Auto       bool
}

// AddDevice registers a MAC as one of a user's devices.
type AddDevice struct {
	UserID int64
	MAC    string
}

// SignUp creates a member profile for a user at a location
// (MembersSignUp). The store fills in Member, whose CoworkerID the
// decision's other effects and answer point to.
type SignUp struct {
	BusinessID int64
	Person     *Person
	Member     *Member
}

// EnableUniquePincodes turns Security.GenerateUniquePincode on at every
// location of a network.
type EnableUniquePincodes struct{ NetworkID int64 }

// CreateVisitorToken creates the token of an approved visitor's code on its
// first use. Token holds the minutes and validity; the store sets its ID
// (and, when another decision created the token first, reads that one).
type CreateVisitorToken struct {
	Visitor *Visitor
	Token   *Token
}

// AddTokenDevice records a MAC against an access token.
type AddTokenDevice struct {
	Token *Token
	MAC   string
}

// StartTokenSession starts a token's clock at a time, unless it runs.
type StartTokenSession struct {
	Token *Token
	At    time.Time
}

// StopTokenSession ends the session that started at Token.LastAccess,
// leaving MinutesLeft, and closes its check-in at a time. A session that
// has already ended is left as it is: its minutes are spent once.
type StopTokenSession struct {
	Token       *Token
	MinutesLeft int64
	At          time.Time
}

// RecordFailedCheckin stores the FailedCheckin of a refusal, with the
// member's teams and plan as they are now when it names a member.
type RecordFailedCheckin struct{ FailedCheckin *FailedCheckin }

// CountFailures counts one throttling failure against each key.
type CountFailures struct{ Failures []ThrottleFailure }

func (StartCheckin) isEffect()         {}
func (TouchCheckin) isEffect()         {}
func (CloseCheckin) isEffect()         {}
func (AddDevice) isEffect()            {}
func (SignUp) isEffect()               {}
func (EnableUniquePincodes) isEffect() {}
func (CreateVisitorToken) isEffect()   {}
func (AddTokenDevice) isEffect()       {}
func (StartTokenSession) isEffect()    {}
func (StopTokenSession) isEffect()     {}
func (RecordFailedCheckin) isEffect()  {}
func (CountFailures) isEffect()        {}

// OnlyRefusal reports whether effects only record a refusal: FailedCheckins
// and throttling failures, rows that are only ever added and that nothing
// in a decision reads back. A store may write them together with other
// decisions' in one batch.
func OnlyRefusal(effects []Effect) bool {
	for _, e := range effects {
		switch e.(type) {
		case RecordFailedCheckin, CountFailures:
		default:
			return false
		}
	}
	return true
}
