package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/secret"
)

var errNoSession = checkin.Errorf(checkin.EUNAUTHORIZED, "The session has ended; sign in again.")

// sessionTouchEvery is how stale a session's last use may be before a
// request writes it again: a page view is then not a write each time.
const sessionTouchEvery = time.Minute

// CreateSession checks an email and password as POST /api/token does and
// opens a console session. It returns the session's token, of which only
// the SHA-256 hash is stored.
func (db *DB) CreateSession(ctx context.Context, email, password string) (string, error) {
	userID, _, err := db.verifyLogin(ctx, email, password)
	if err != nil {
		return "", err
	}
	token := secret.NewToken()
	err = db.write(ctx, func(tx *Tx) error {
		// A user's sessions unused for longer than they last go now.
		if _, err := tx.Exec("DELETE FROM console_sessions WHERE user_id = ? AND last_used <= ?", userID, tx.now.Add(-checkin.SessionIdle)); err != nil {
			return err
		}
		_, err := tx.Exec("INSERT INTO console_sessions (token_hash, user_id, created_on, last_used) VALUES (?, ?, ?, ?)",
			secret.HashToken(token), userID, tx.now, tx.now)
		return err
	})
	return token, err
}

// UserBySession returns the user of a session used within
// checkin.SessionIdle, with roles, and records its use.
func (db *DB) UserBySession(ctx context.Context, token string) (*checkin.User, error) {
	hash := secret.HashToken(token)
	var user *checkin.User
	var lastUsed checkin.Time
	err := db.read(ctx, func(tx *Tx) error {
		var userID int64
		err := tx.QueryRow("SELECT user_id, last_used FROM console_sessions WHERE token_hash = ? AND last_used > ?",
			hash, tx.now.Add(-checkin.SessionIdle)).Scan(&userID, &lastUsed)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSession
		}
		if err != nil {
			return err
		}
		user, err = db.users.find(tx, userID, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	if db.now().Sub(lastUsed.Time) >= sessionTouchEvery {
		err = db.write(ctx, func(tx *Tx) error {
			_, err := tx.Exec("UPDATE console_sessions SET last_used = ? WHERE token_hash = ? AND last_used > ?",
				tx.now, hash, tx.now.Add(-checkin.SessionIdle))
			return err
		})
	}
	return user, err
}

// DeleteSession ends a session (sign-out). An unknown token is no error.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("DELETE FROM console_sessions WHERE token_hash = ?", secret.HashToken(token))
		return err
	})
}
