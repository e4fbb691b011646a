package access

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/internal/turn"
	"github.com/checkin-oss/checkin/secret"
	"github.com/checkin-oss/checkin/throttle"
)

// Service decides check-in requests.
type Service struct {
	Store checkin.CheckinStore
	// Throttle, when set, slows down guessing: an attempt it blocks is
	// answered 429 before any credential is checked.
	Throttle *throttle.Limiter
	// Timeout, when set, bounds the time a decision spends in the database,
	// its steps together, so that a door is answered at once when the
	// database is gone. The password hash is not counted: a burst of
	// password check-ins waits its turn for the CPU and is answered,
	// however long that takes.
	Timeout time.Duration

	turns turn.Gate // one decision per credential at a time
}

// budget is what is left of a decision's time in the database.
type budget struct {
	left      time.Duration
	unlimited bool
}

func (s *Service) budget() *budget {
	return &budget{left: s.Timeout, unlimited: s.Timeout <= 0}
}

// bound limits ctx to what is left; the function it returns ends the step
// and takes its time from the budget.
func (b *budget) bound(ctx context.Context) (context.Context, func()) {
	if b.unlimited {
		return ctx, func() {}
	}
	start := time.Now()
	bounded, cancel := context.WithTimeout(ctx, b.left)
	return bounded, func() {
		cancel()
		b.left -= time.Since(start)
	}
}

// whole bounds ctx by all that is left at once, for steps that follow one
// another with nothing else between them: one deadline is then the same
// bound as one per step, and costs a timer instead of two. The steps bound
// nothing more.
func (b *budget) whole(ctx context.Context) (context.Context, func()) {
	bounded, cancel := b.bound(ctx)
	b.unlimited = true
	return bounded, cancel
}

// Outcome is a decision and how to answer it.
type Outcome struct {
	Status       int // 200 for every decision; 400 for INVALID_REQUEST_DATA; 429 when throttled
	Confirmation checkin.Confirmation
	Method       Method
	// Result is "checked_in", "checked_out", "validated", or the refusal code.
	Result string
	// Identity is the credential a refusal was about (an email, a card, a
	// MAC...); empty for a success.
	Identity string
	// Rule is why a refusal was made, as its FailedCheckin's description
	// says; empty for a success. It may name the credential in full.
	Rule string
	// TokenID is the access token a token check-in used; 0 otherwise.
	TokenID int64
	// Throttled is set when the attempt was not decided (429): which key
	// blocked it, and for how long.
	Throttled *throttle.Verdict
	// SprayedPincodes is set, on the refusal of a pincode, to the number of
	// different pincodes that failed at the location within the spraying
	// window, when that many is spraying not yet reported by this instance.
	SprayedPincodes int
}

// Refused reports whether the decision was a refusal.
func (o Outcome) Refused() bool { return !o.Confirmation.WasSuccessful }

// CheckIn decides a request at a location. A refusal is recorded as one
// FailedCheckin in the same transaction as the decision; a request that is
// not a check-in request at all (INVALID_REQUEST_DATA) records nothing.
// An error means the decision could not be made (the database failed) and
// nothing was recorded.
func (s *Service) CheckIn(ctx context.Context, loc *checkin.Business, req checkin.CheckinRequest) (Outcome, error) {
	return s.CheckInFrom(ctx, loc, req, throttle.Client{})
}

// CheckInFrom decides a request sent by a client: with a Throttle, an
// attempt that one of its keys blocks is answered 429 undecided, and a
// refusal counts against its keys in the decision's transaction.
//
// Requests with the same credential at a location are decided one at a
// time, in order of arrival: they would otherwise wait for one another in
// the database (a member's row lock, SQLite's writer), each spending its
// budget there. The wait for that turn is not counted in the budget.
func (s *Service) CheckInFrom(ctx context.Context, loc *checkin.Business, req checkin.CheckinRequest, from throttle.Client) (Outcome, error) {
	if field := fieldWithNUL(req); field != "" {
		return invalidRequest(MethodNone, field+" must not contain a NUL character (\\u0000)."), nil
	}
	p := planFor(req)
	if p.code == checkin.CodeInvalidRequestData {
		return invalidRequest(p.method, ""), nil
	}
	t, err := s.turns.Enter(ctx, p.turnKey(loc.ID, req))
	if err != nil {
		if errors.Is(err, turn.ErrAheadFailed) {
			err = errors.Join(errUnavailable, err)
		}
		return Outcome{}, err
	}
	out, err := s.decide(ctx, loc, req, from, p)
	t.Leave(err != nil && (checkin.ErrorCode(err) == checkin.EUNAVAILABLE || errors.Is(err, context.DeadlineExceeded)))
	return out, err
}

// errUnavailable answers the requests that waited behind one the database
// failed to decide in time.
var errUnavailable = &checkin.Error{Code: checkin.EUNAVAILABLE, Message: "The database did not answer in time; try again shortly."}

// invalidRequest is the answer to a request that is not a check-in request
// (INVALID_REQUEST_DATA); reason, when given, says what is wrong with it.
func invalidRequest(m Method, reason string) Outcome {
	code := checkin.CodeInvalidRequestData
	message := ""
	if reason != "" {
		message = checkin.RefusalMessages[code] + ": " + reason
	}
	return Outcome{Status: http.StatusBadRequest, Confirmation: checkin.Refusal(code, message), Method: m, Result: code}
}

// decide decides a request that has its turn.
func (s *Service) decide(ctx context.Context, loc *checkin.Business, req checkin.CheckinRequest, from throttle.Client, p plan) (Outcome, error) {
	d := &decision{loc: loc, req: req, plan: p}
	b := s.budget()
	if p.method != MethodPassword { // the password's hash, between the steps, is not the database's time
		var cancel func()
		ctx, cancel = b.whole(ctx)
		defer cancel()
	}
	if s.Throttle != nil {
		bounded, cancel := b.bound(ctx)
		v, done, err := s.Throttle.Check(bounded, p.attempt(loc.ID, req, from))
		cancel()
		defer done()
		if err != nil {
			return Outcome{}, err
		}
		if v.Blocked {
			return Outcome{Status: http.StatusTooManyRequests, Confirmation: checkin.Refusal(checkin.CodeTooManyAttempts, ""),
				Method: p.method, Result: checkin.CodeTooManyAttempts, Throttled: &v}, nil
		}
		d.throttle = &v
	}
	if p.code == "" && p.method == MethodPassword {
		if err := s.verifyPassword(ctx, b, d); err != nil {
			return Outcome{}, err
		}
	}
	var out Outcome
	ctx, cancel := b.bound(ctx)
	defer cancel()
	err := s.Store.Decide(ctx, func(v checkin.DecisionView) ([]checkin.Effect, error) {
		d.begin(v)
		var effects []checkin.Effect
		var err error
		out, effects, err = d.run()
		return effects, err
	})
	if err != nil {
		return Outcome{}, err
	}
	if d.token != nil {
		out.TokenID = d.token.ID // set once its effects are applied, for a visitor's new token
	}
	if out.Refused() && d.throttle != nil {
		out.SprayedPincodes = s.Throttle.Sprayed(ctx, d.throttle.Spray, d.now)
	}
	return out, nil
}

// verifyPassword checks an email and password before the decision's
// transaction begins: the hash is slow by design, and must not hold the
// database's write lock. An unknown email costs as much as a wrong password.
func (s *Service) verifyPassword(ctx context.Context, b *budget, d *decision) error {
	bounded, cancel := b.bound(ctx)
	p, err := s.Store.PersonByEmail(bounded, d.plan.email)
	cancel()
	if err != nil {
		return err
	}
	hash := ""
	if p != nil {
		hash = p.PasswordHash
	}
	if !secret.VerifyPassword(hash, d.req.Password) {
		d.passwordFailed = true
		d.person = p
		return nil
	}
	if newHash, ok := secret.Upgrade(hash, d.req.Password); ok {
		s.Store.RehashPassword(ctx, p.ID, hash, newHash)
	}
	d.person = p
	return nil
}

// errRefused carries a refusal out of the decision's steps.
type refusal struct {
	code        string
	message     string // the answer's message; the code's own when empty
	description string // why, for the FailedCheckin record
	member      *checkin.Member
	identity    string
}

func (r *refusal) Error() string { return r.code + ": " + r.description }

func refuse(code, description string) *refusal {
	return &refusal{code: code, description: description}
}

// noAccess is a NO_ACCESS_TO_SPACE refusal whose message names the reason.
func noAccess(reason, description string) *refusal {
	return &refusal{code: checkin.CodeNoAccessToSpace, message: checkin.RefusalMessages[checkin.CodeNoAccessToSpace] + ": " + reason + ".", description: description}
}

func asRefusal(err error) (*refusal, bool) {
	var r *refusal
	ok := errors.As(err, &r)
	return r, ok
}
