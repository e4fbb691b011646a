package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/checkin-oss/checkin"
)

// Bulk seeding, for the load tool and benchmarks: many rows per statement and
// many statements per transaction, instead of one transaction per record.
// It writes what the admin API would (users, devices, profiles, cards, teams,
// tokens, failed check-ins) but skips the per-record checks: the caller
// promises unique emails, cards, pincodes and codes, and existing locations,
// plans and teams.

// seedBatch is how many records one transaction of a seed writes.
const seedBatch = 1000

// seedRowsPerStatement bounds the rows of one INSERT, so that its arguments
// stay well under both databases' limits on placeholders.
const seedRowsPerStatement = 250

// SeedMember is one member to seed: a user with a device and a profile at
// the location with a pincode and a card.
type SeedMember struct {
	FullName string
	Email    string
	Pincode  string
	Card     string // one card, stored as checkin.NormalizeCard spells it
	MAC      string // one device in any spelling; empty for none
}

// SeedMembers inserts members at a location, all with the given password
// hash (hash once with secret.HashPassword and reuse it: hashing each would
// take minutes), on the plan and in the team given (either may be zero).
func (db *DB) SeedMembers(ctx context.Context, businessID, tariffID, teamID int64, passwordHash string, members []SeedMember) error {
	for start := 0; start < len(members); start += seedBatch {
		batch := members[start:min(start+seedBatch, len(members))]
		err := db.write(ctx, func(tx *Tx) error {
			return seedMemberBatch(tx, businessID, tariffID, teamID, passwordHash, batch)
		})
		if err != nil {
			return fmt.Errorf("seed members %d to %d: %w", start, start+len(batch), err)
		}
	}
	return nil
}

func seedMemberBatch(tx *Tx, businessID, tariffID, teamID int64, hash string, members []SeedMember) error {
	userIDs := make(map[string]int64, len(members))
	err := insertRows(tx, "users", []string{"unique_id", "created_on", "updated_on", "email", "full_name", "password_hash"}, len(members),
		func(i int) []any {
			m := members[i]
			return []any{checkin.NewUUID(), tx.now, tx.now, checkin.NormalizeEmail(m.Email), m.FullName, hash}
		}, &returning{cols: "id, email", text: func(id int64, email string) { userIDs[email] = id }})
	if err != nil {
		return err
	}
	userOf := func(i int) int64 { return userIDs[checkin.NormalizeEmail(members[i].Email)] }
	var tariff *int64
	if tariffID != 0 {
		tariff = &tariffID
	}
	coworkerIDs := make(map[int64]int64, len(members)) // by user id
	err = insertRows(tx, "coworkers", []string{"unique_id", "created_on", "updated_on", "business_id", "full_name", "email",
		"user_id", "access_pincode", "access_card_id", "active", "tariff_id"}, len(members),
		func(i int) []any {
			m := members[i]
			tx.holdCredential('p', m.Pincode)
			return []any{checkin.NewUUID(), tx.now, tx.now, businessID, m.FullName, checkin.NormalizeEmail(m.Email),
				userOf(i), m.Pincode, checkin.NormalizeCard(m.Card), true, tariff}
		}, &returning{cols: "id, user_id", ids: func(id, user int64) { coworkerIDs[user] = id }})
	if err != nil {
		return err
	}
	coworkerOf := func(i int) int64 { return coworkerIDs[userOf(i)] }
	return seedMemberLinks(tx, businessID, teamID, members, userOf, coworkerOf)
}

// seedMemberLinks writes the rows kept beside users and profiles: devices,
// cards and team memberships.
func seedMemberLinks(tx *Tx, businessID, teamID int64, members []SeedMember, userOf, coworkerOf func(int) int64) error {
	var withMAC []int
	for i, m := range members {
		if m.MAC != "" {
			withMAC = append(withMAC, i)
		}
	}
	err := insertRows(tx, "user_devices", []string{"user_id", "mac", "created_on"}, len(withMAC), func(j int) []any {
		i := withMAC[j]
		mac, ok := checkin.NormalizeMAC(members[i].MAC)
		if !ok {
			mac = members[i].MAC // the database keeps it; lookups will not find it
		}
		tx.holdCredential('d', mac)
		return []any{userOf(i), mac, tx.now}
	}, nil)
	if err != nil {
		return err
	}
	err = insertRows(tx, "coworker_cards", []string{"business_id", "card", "coworker_id"}, len(members), func(i int) []any {
		card := checkin.NormalizeCard(members[i].Card)
		tx.holdCredential('c', card)
		return []any{businessID, card, coworkerOf(i)}
	}, nil)
	if err != nil || teamID == 0 {
		return err
	}
	return insertRows(tx, "coworker_teams", []string{"coworker_id", "team_id"}, len(members), func(i int) []any {
		return []any{coworkerOf(i), teamID}
	}, nil)
}

// SeedToken is one access token to seed.
type SeedToken struct {
	Code        string
	Description string
	Minutes     int64
}

// SeedTokens inserts access tokens at a location, with all their minutes
// left and no validity window.
func (db *DB) SeedTokens(ctx context.Context, businessID int64, tokens []SeedToken) error {
	for start := 0; start < len(tokens); start += seedBatch {
		batch := tokens[start:min(start+seedBatch, len(tokens))]
		err := db.write(ctx, func(tx *Tx) error {
			return insertRows(tx, "access_tokens", []string{"unique_id", "created_on", "updated_on", "business_id", "access_code",
				"description", "minutes_included", "minutes_left"}, len(batch), func(i int) []any {
				t := batch[i]
				return []any{checkin.NewUUID(), tx.now, tx.now, businessID, t.Code, t.Description, t.Minutes, t.Minutes}
			}, nil)
		})
		if err != nil {
			return fmt.Errorf("seed tokens: %w", err)
		}
	}
	return nil
}

// failedCheckinColumns are the columns SeedFailedCheckins writes.
var failedCheckinColumns = []string{"unique_id", "created_on", "updated_on", "coworker_id", "coworker_full_name", "business_id",
	"business_name", "checkin_attempt_time", "source", "mac_addresses", "description", "checkin_attempt_time_local"}

// failedSeedBatch is how many FailedCheckin records one transaction of
// SeedFailedCheckins writes: large, so that a million take a few commits.
const failedSeedBatch = 50_000

// SeedFailedCheckins inserts n FailedCheckin records, the i-th filled in by
// fill (which must set at least BusinessID and CheckinAttemptTime), and
// returns how many it wrote. CreatedOn is the attempt time.
func (db *DB) SeedFailedCheckins(ctx context.Context, n int, fill func(i int, f *checkin.FailedCheckin)) (int, error) {
	written := 0
	for start := 0; start < n; start += failedSeedBatch {
		count := min(failedSeedBatch, n-start)
		err := db.write(ctx, func(tx *Tx) error {
			var f checkin.FailedCheckin
			return insertRows(tx, "failed_checkins", failedCheckinColumns, count, func(i int) []any {
				f = checkin.FailedCheckin{}
				fill(start+i, &f)
				at := f.CheckinAttemptTime
				return []any{checkin.NewUUID(), at, at, f.CoworkerID, f.CoworkerFullName, f.BusinessID, f.BusinessName,
					at, f.Source, f.MacAddresses, f.Description, f.CheckinAttemptTimeLocal}
			}, nil)
		})
		if err != nil {
			return written, fmt.Errorf("seed failed check-ins: %w", err)
		}
		written += count
	}
	return written, db.analyze(ctx, "failed_checkins")
}

// seededTables are the tables SeedMembers and SeedTokens fill.
var seededTables = []string{"businesses", "business_settings", "tariffs", "teams", "users", "user_devices",
	"coworkers", "coworker_cards", "coworker_teams", "access_tokens", "token_devices"}

// AnalyzeSeeded gives PostgreSQL's planner the statistics of the seeded
// tables (SQLite needs none).
func (db *DB) AnalyzeSeeded(ctx context.Context) error { return db.analyze(ctx, seededTables...) }

// analyze does on PostgreSQL what autovacuum would do soon after a bulk
// load, now, so that plans do not depend on when a measurement starts.
func (db *DB) analyze(ctx context.Context, tables ...string) error {
	if db.dialect != postgresDialect {
		return nil
	}
	_, err := db.rw.ExecContext(ctx, "ANALYZE "+strings.Join(tables, ", "))
	return err
}

// returning names two columns an INSERT returns for each row, and what to
// hand them to: text when the second is text, ids when it is an id.
type returning struct {
	cols string
	text func(id int64, s string)
	ids  func(id, other int64)
}

// insertRows inserts n rows into table, seedRowsPerStatement at a time; row
// gives the values of the i-th. With ret, each inserted row's two returned
// columns are handed to its function.
func insertRows(tx *Tx, table string, cols []string, n int, row func(i int) []any, ret *returning) error {
	for start := 0; start < n; start += seedRowsPerStatement {
		count := min(seedRowsPerStatement, n-start)
		args := make([]any, 0, count*len(cols))
		for i := start; i < start+count; i++ {
			args = append(args, row(i)...)
		}
		query := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + rowsOf(len(cols), count)
		var err error
		switch {
		case ret == nil:
			_, err = tx.Exec(query, args...)
		case ret.text != nil:
			err = queryPairs(tx, query+" RETURNING "+ret.cols, args, ret.text)
		default:
			err = queryIDPairs(tx, query+" RETURNING "+ret.cols, args, ret.ids)
		}
		if err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}
