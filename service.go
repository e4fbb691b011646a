package checkin

import (
	"context"
	"time"
)

// Repository keeps the records of one entity. The SQL store implements it
// once, generically, for every entity.
type Repository[T any] interface {
	Find(ctx context.Context, id int64) (*T, error)
	List(ctx context.Context, q ListQuery) ([]*T, int, error)
	Create(ctx context.Context, rec *T) (int64, error)
	Replace(ctx context.Context, rec *T) error
	// Update reads the record, calls change on it and saves it as Replace
	// does, only if the record is still what was read: two updates of
	// one record never lose either's change. An error of change is
	// returned as it is, and nothing is saved.
	Update(ctx context.Context, id int64, change func(*T) error) error
	Delete(ctx context.Context, id int64) error
}

// Exporter is a repository that can hand every record of a list to fn,
// however many there are (CSV exports); the SQL store's are.
type Exporter[T any] interface {
	Each(ctx context.Context, q ListQuery, fn func(*T) error) error
}

// Windower is a repository that can return one page of a list and whether
// more follow, without counting every record; the SQL store's are.
type Windower[T any] interface {
	Window(ctx context.Context, q ListQuery) ([]*T, bool, error)
}

// TokenPair is what POST /api/token answers.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
}

// How long issued OAuth2 tokens last, as in Nexudus.
const (
	AccessTokenLifetime  = 7 * 24 * time.Hour
	RefreshTokenLifetime = 15 * 24 * time.Hour
)

// SessionIdle is how long a console session lasts without use (PAGES.md).
const SessionIdle = 8 * time.Hour

// AuthService signs users in with OAuth2 bearer tokens.
type AuthService interface {
	// IssueTokens checks an email and password and issues a token pair.
	IssueTokens(ctx context.Context, email, password string) (*TokenPair, error)
	// RefreshTokens exchanges a refresh token, once, for a new pair.
	RefreshTokens(ctx context.Context, refreshToken string) (*TokenPair, error)
	// UserByAccessToken returns the user an unexpired access token belongs to.
	UserByAccessToken(ctx context.Context, accessToken string) (*User, error)
	// UserByPassword checks an email and password (a password hash) and
	// returns the user; the store then remembers them for a short while.
	UserByPassword(ctx context.Context, email, password string) (*User, error)
	// UserByRememberedPassword returns the user of an email and password
	// that UserByPassword verified recently, unless the password has changed
	// since; nil when they are not remembered. It costs no password hash.
	UserByRememberedPassword(ctx context.Context, email, password string) (*User, error)
}

type userKey struct{}

// WithUser returns a context that carries the signed-in user, whose email
// the store writes as UpdatedBy.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the signed-in user of a context, or nil.
func UserFrom(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}
