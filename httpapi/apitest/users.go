package apitest

import (
	"context"
	"fmt"
)

// User is a user signed in through POST /api/token.
type User struct {
	ID       int64
	Email    string
	Password string
	Token    string // the bearer token
}

// AdminEmail and AdminPassword sign in the test's administrator.
const (
	AdminEmail    = "admin@example.com"
	AdminPassword = "admin-password"
)

// Admin returns the test's full administrator (without its ID), created on
// first use as "checkin admin create" creates one.
func (a *API) Admin() *User {
	a.t.Helper()
	if a.admin == nil {
		if _, err := a.DB.EnsureAdmin(context.Background(), AdminEmail, AdminPassword); err != nil {
			a.t.Fatalf("create the administrator: %v", err)
		}
		a.admin = &User{Email: AdminEmail, Password: AdminPassword, Token: a.SignIn(AdminEmail, AdminPassword).AccessToken}
	}
	return a.admin
}

// AdminToken returns the administrator's bearer token.
func (a *API) AdminToken() string {
	a.t.Helper()
	return a.Admin().Token
}

// NewUser creates a user holding the roles, through the admin API, and
// signs them in.
func (a *API) NewUser(roles ...string) *User {
	a.t.Helper()
	n := a.Next()
	u := &User{Email: fmt.Sprintf("user%d@example.com", n), Password: fmt.Sprintf("password-%d", n)}
	if roles == nil {
		roles = []string{}
	}
	u.ID = a.Create(a.AdminToken(), "/api/sys/users", map[string]any{
		"Email": u.Email, "FullName": fmt.Sprintf("User %d", n), "Password": u.Password, "Roles": roles,
	})
	u.Token = a.SignIn(u.Email, u.Password).AccessToken
	return u
}
