package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/checkin-oss/checkin"
)

// constraint is the kind of integrity rule a database error reports.
type constraint int

const (
	noConstraint constraint = iota
	uniqueViolation
	foreignKeyViolation
	checkViolation
	notNullViolation
)

// violation reads the kind of constraint an error violated from the
// driver's error code, never from its message.
func violation(err error) constraint {
	var le *sqlite.Error
	if errors.As(err, &le) {
		switch le.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return uniqueViolation
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return foreignKeyViolation
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return checkViolation
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return notNullViolation
		}
		return noConstraint
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return uniqueViolation
		case "23503":
			return foreignKeyViolation
		case "23514":
			return checkViolation
		case "23502":
			return notNullViolation
		}
	}
	return noConstraint
}

// isDataException reports a PostgreSQL error of class 22 (data exception):
// a value out of its type's range or an invalid character, which only input
// can cause.
func isDataException(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22")
}

// isRetryable reports a PostgreSQL serialisation failure or deadlock: the
// transaction lost a race and may simply be run again.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// tooManyConnections reports PostgreSQL's refusal of a new connection
// while all its slots are taken.
func tooManyConnections(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "53300"
}

// isUnavailable reports errors that mean the database cannot be reached or
// did not answer in time, as opposed to errors in what was asked of it.
func isUnavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, errClosed) {
		return true
	}
	// The connection closed in the middle of a query or a commit.
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 08: connection exception; 53: insufficient resources; 57P0x: shutdown.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "53") || strings.HasPrefix(pe.Code, "57P0")
	}
	var le *sqlite.Error
	if errors.As(err, &le) {
		return le.Code()&0xff == sqlite3.SQLITE_BUSY || le.Code()&0xff == sqlite3.SQLITE_LOCKED
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return true
	}
	return false
}

// storageReason reads from a driver's error code whether the database
// refused a change because of its storage: "" when it did not.
func storageReason(err error) string {
	var le *sqlite.Error
	if errors.As(err, &le) {
		switch le.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_FULL:
			return checkin.StorageDiskFull
		case sqlite3.SQLITE_IOERR:
			return checkin.StorageIOError
		case sqlite3.SQLITE_READONLY:
			return checkin.StorageReadOnly
		}
		return ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "53100": // disk_full
			return checkin.StorageDiskFull
		case "58030": // io_error
			return checkin.StorageIOError
		case "25006": // read_only_sql_transaction: a standby, or default_transaction_read_only
			return checkin.StorageReadOnly
		}
	}
	return ""
}

// ErrStorage is the answer while the database refuses changes because of
// its storage.
var ErrStorage = &checkin.Error{Code: checkin.EUNAVAILABLE, Message: "The service cannot store changes right now; try again shortly."}

// ErrUnavailable is the answer while the database cannot be reached.
var ErrUnavailable = &checkin.Error{Code: checkin.EUNAVAILABLE, Message: "The database is not reachable; try again shortly."}

// mapError turns driver errors into application errors where their meaning
// is known; anything else stays internal.
func (db *DB) mapError(err error) error {
	var appErr *checkin.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &appErr):
		return appErr
	case errors.Is(err, context.Canceled):
		return err
	}
	if reason := storageReason(err); reason != "" {
		return errors.Join(ErrStorage, &checkin.StorageError{Reason: reason, Err: err})
	}
	switch {
	case isUnavailable(err):
		return errors.Join(ErrUnavailable, err)
	}
	if isDataException(err) {
		return errors.Join(checkin.Errorf(checkin.EINVALID, "A value cannot be stored or compared: it is out of range or holds a character such as NUL."), err)
	}
	switch violation(err) {
	case uniqueViolation:
		return errors.Join(checkin.Errorf(checkin.ECONFLICT, "The change conflicts with an existing record; reload and try again."), err)
	case foreignKeyViolation:
		return errors.Join(checkin.Errorf(checkin.ECONFLICT, "The record is still referred to by other records, or refers to one that no longer exists."), err)
	case checkViolation, notNullViolation:
		return errors.Join(checkin.Errorf(checkin.EINVALID, "A value is out of its allowed range."), err)
	}
	return err
}
