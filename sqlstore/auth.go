package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/secret"
)

var (
	errBadLogin   = checkin.Errorf(checkin.EUNAUTHORIZED, "The user name or password is incorrect.")
	errBadRefresh = checkin.Errorf(checkin.EUNAUTHORIZED, "The refresh token is invalid, expired or already used.")
	errBadBearer  = checkin.Errorf(checkin.EUNAUTHORIZED, "The access token is invalid or expired.")
)

// IssueTokens checks an email and password and issues an OAuth2 token pair.
// Only the tokens' SHA-256 hashes are stored.
func (db *DB) IssueTokens(ctx context.Context, email, password string) (*checkin.TokenPair, error) {
	userID, _, err := db.verifyLogin(ctx, email, password)
	if err != nil {
		return nil, err
	}
	var pair *checkin.TokenPair
	err = db.write(ctx, func(tx *Tx) (err error) {
		pair, err = issueTokens(tx, userID)
		return err
	})
	return pair, err
}

// verifyLogin checks an email and password and returns the user's id and
// password hash, replacing a hash made with other parameters
// (secret.Upgrade). The OAuth2 tokens, Basic credentials and the console's
// sessions all sign in here, so they accept the same credentials.
func (db *DB) verifyLogin(ctx context.Context, email, password string) (int64, string, error) {
	var userID int64
	var hash string
	err := db.read(ctx, func(tx *Tx) error {
		return tx.QueryRow("SELECT id, password_hash FROM users WHERE email = ?", checkin.NormalizeEmail(email)).Scan(&userID, &hash)
	})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, "", err
	}
	if !secret.VerifyPassword(hash, password) { // an unknown user costs as much as a wrong password
		return 0, "", errBadLogin
	}
	if newHash, upgrade := secret.Upgrade(hash, password); upgrade {
		db.RehashPassword(ctx, userID, hash, newHash)
		hash = newHash
	}
	return userID, hash, nil
}

// RehashPassword replaces a password hash made with other parameters by
// one of the same password (secret.Upgrade). A failure is logged, not
// returned: the check-in it follows is decided, and the next one tries
// again.
func (db *DB) RehashPassword(ctx context.Context, userID int64, oldHash, newHash string) {
	if err := db.write(ctx, func(tx *Tx) error { return rehash(tx, userID, oldHash, newHash) }); err != nil {
		db.Log.Warn("could not store a password's new hash", "user", userID, "err", err)
	}
}

// rehash stores newHash unless the user's hash is no longer oldHash (the
// password was changed meanwhile). The password is the same, so it changes
// neither the user's UpdatedOn nor their sign-ins.
func rehash(tx *Tx, userID int64, oldHash, newHash string) error {
	_, err := tx.Exec("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?", newHash, userID, oldHash)
	return err
}

func issueTokens(tx *Tx, userID int64) (*checkin.TokenPair, error) {
	pair := &checkin.TokenPair{AccessToken: secret.NewToken(), RefreshToken: secret.NewToken(), ExpiresIn: checkin.AccessTokenLifetime}
	if _, err := tx.Exec("DELETE FROM oauth_tokens WHERE user_id = ? AND refresh_expires <= ?", userID, tx.now); err != nil {
		return nil, err
	}
	_, err := tx.Exec(`INSERT INTO oauth_tokens (user_id, access_hash, refresh_hash, access_expires, refresh_expires, created_on)
		VALUES (?, ?, ?, ?, ?, ?)`, userID, secret.HashToken(pair.AccessToken), secret.HashToken(pair.RefreshToken),
		tx.now.Add(checkin.AccessTokenLifetime), tx.now.Add(checkin.RefreshTokenLifetime), tx.now)
	return pair, err
}

// RefreshTokens exchanges a refresh token for a new pair. The old pair is
// deleted in the same statement that finds it, so a refresh token works once
// even when two requests race with it.
func (db *DB) RefreshTokens(ctx context.Context, refreshToken string) (*checkin.TokenPair, error) {
	var pair *checkin.TokenPair
	err := db.write(ctx, func(tx *Tx) error {
		var userID int64
		err := tx.QueryRow("DELETE FROM oauth_tokens WHERE refresh_hash = ? AND refresh_expires > ? RETURNING user_id",
			secret.HashToken(refreshToken), tx.now).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return errBadRefresh
		}
		if err != nil {
			return err
		}
		pair, err = issueTokens(tx, userID)
		return err
	})
	return pair, err
}

// signOut deletes every token and console session of a user, as a new
// password does: whoever held one must sign in with the new password.
func signOut(tx *Tx, userID int64) error {
	if _, err := tx.Exec("DELETE FROM oauth_tokens WHERE user_id = ?", userID); err != nil {
		return err
	}
	_, err := tx.Exec("DELETE FROM console_sessions WHERE user_id = ?", userID)
	return err
}

// UserByAccessToken returns the user of an unexpired access token, with roles.
func (db *DB) UserByAccessToken(ctx context.Context, accessToken string) (*checkin.User, error) {
	var user *checkin.User
	err := db.read(ctx, func(tx *Tx) error {
		var userID int64
		err := tx.QueryRow("SELECT user_id FROM oauth_tokens WHERE access_hash = ? AND access_expires > ?",
			secret.HashToken(accessToken), tx.now).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return errBadBearer
		}
		if err != nil {
			return err
		}
		user, err = db.users.find(tx, userID, false)
		return err
	})
	return user, err
}

// EnsureAdmin creates a full administrator with that email and password
// unless a user with that email exists. It reports whether it created one.
func (db *DB) EnsureAdmin(ctx context.Context, email, password string) (bool, error) {
	u := &checkin.User{Email: email, Password: password, IsAdmin: true, FullName: "Administrator"}
	if password == "" {
		return false, checkin.Invalid("Password", nil, "is required")
	}
	exists, err := db.userExists(ctx, email)
	if err != nil || exists {
		return false, err
	}
	if _, err = db.users.Create(ctx, u); err != nil {
		// Another instance starting at the same moment may have won.
		if raced, _ := db.userExists(ctx, email); raced {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

func (db *DB) userExists(ctx context.Context, email string) (bool, error) {
	var exists bool
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		exists, err = tx.exists("SELECT 1 FROM users WHERE email = ?", checkin.NormalizeEmail(email))
		return err
	})
	return exists, err
}

// HasAdmin reports whether any user is a full administrator.
func (db *DB) HasAdmin(ctx context.Context) (bool, error) {
	var exists bool
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		exists, err = tx.exists("SELECT 1 FROM users WHERE is_admin")
		return err
	})
	return exists, err
}
