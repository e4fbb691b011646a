package loadtest

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/secret"
	"github.com/checkin-oss/checkin/sqlstore"
)

// SeedConfig sizes what Seed writes.
type SeedConfig struct {
	Location string // the web address of the location the load checks in at
	Members  int
	Tokens   int
	Failed   FailedSpec
}

// Seeded is what Seed found or wrote.
type Seeded struct {
	Location        *checkin.Business
	FailedLocations []*checkin.Business // the locations of the failed check-ins, Location first
	Reused          bool                // the location was there already: nothing was written
	Members, Failed time.Duration       // how long seeding them took
}

// timeZone is the seeded locations' zone: one with daylight saving, so that
// local times cost what they cost in production.
const timeZone = "Europe/London"

// Seed writes the location, its members and tokens, the administrator and
// the failed check-ins, through the store. A location already there is
// taken as seeded by an earlier run with the same sizes and is reused.
func Seed(ctx context.Context, db *sqlstore.DB, cfg SeedConfig) (*Seeded, error) {
	out := &Seeded{}
	var err error
	if out.Location, err = db.BusinessByWebAddress(ctx, cfg.Location); err != nil {
		return nil, err
	}
	if out.Location != nil {
		out.Reused = true
		out.FailedLocations, err = failedLocations(ctx, db, cfg, out.Location, false)
		return out, err
	}
	start := time.Now()
	if out.Location, err = createLocation(ctx, db, cfg.Location, 0); err != nil {
		return nil, err
	}
	if err := seedMembers(ctx, db, out.Location, cfg); err != nil {
		return nil, err
	}
	if _, err := db.EnsureAdmin(ctx, AdminEmail, AdminPassword); err != nil {
		return nil, err
	}
	if err := db.AnalyzeSeeded(ctx); err != nil {
		return nil, err
	}
	out.Members = time.Since(start)
	if cfg.Failed.Records == 0 {
		return out, nil
	}
	start = time.Now()
	if out.FailedLocations, err = failedLocations(ctx, db, cfg, out.Location, true); err != nil {
		return nil, err
	}
	cfg.Failed.locations = out.FailedLocations
	if _, err := db.SeedFailedCheckins(ctx, cfg.Failed.Records, cfg.Failed.fill); err != nil {
		return nil, err
	}
	out.Failed = time.Since(start)
	return out, nil
}

func createLocation(ctx context.Context, db *sqlstore.DB, addr string, network int64) (*checkin.Business, error) {
	b := checkin.Businesses.New()
	b.Name, b.WebAddress, b.TimeZone, b.NetworkID = "Bench "+addr, addr, timeZone, network
	id, err := db.Businesses().Create(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("create location %s: %w", addr, err)
	}
	return db.Businesses().Find(ctx, id)
}

// seedMembers gives the location a plan, a team, unique pincodes, its
// members and its tokens.
func seedMembers(ctx context.Context, db *sqlstore.DB, loc *checkin.Business, cfg SeedConfig) error {
	plan := checkin.Tariffs.New()
	plan.BusinessID, plan.Name = loc.ID, "Bench plan"
	planID, err := db.Tariffs().Create(ctx, plan)
	if err != nil {
		return err
	}
	teamID, err := db.Teams().Create(ctx, &checkin.Team{BusinessID: loc.ID, Name: "Bench team"})
	if err != nil {
		return err
	}
	// Pincode-only check-in turns this on at its first use; on from the start,
	// the first request does not pay for the switch.
	setting := &checkin.BusinessSetting{BusinessID: loc.ID, Name: checkin.SettingGenerateUniquePincode, Value: "True"}
	if _, err := db.BusinessSettings().Create(ctx, setting); err != nil {
		return err
	}
	hash, err := secret.HashPassword(MemberPassword)
	if err != nil {
		return err
	}
	if err := db.SeedMembers(ctx, loc.ID, planID, teamID, hash, seedMemberList(cfg.Members)); err != nil {
		return err
	}
	return db.SeedTokens(ctx, loc.ID, seedTokenList(cfg.Tokens))
}

func seedMemberList(n int) []sqlstore.SeedMember {
	out := make([]sqlstore.SeedMember, n)
	for i := range out {
		out[i] = sqlstore.SeedMember{FullName: spell(appendMemberName, i), Email: spell(appendEmail, i),
			Pincode: spell(appendPincode, i), Card: spell(appendCard, i), MAC: spell(appendMemberMAC, i)}
	}
	return out
}

func seedTokenList(n int) []sqlstore.SeedToken {
	out := make([]sqlstore.SeedToken, n)
	for i := range out {
		out[i] = sqlstore.SeedToken{Code: spell(appendTokenCode, i), Description: "Bench guest " + strconv.Itoa(i), Minutes: 1_000_000}
	}
	return out
}

// failedLocations returns the locations of the failed check-ins: the load's
// own, then <location>-2, <location>-3... in its network, created if asked.
func failedLocations(ctx context.Context, db *sqlstore.DB, cfg SeedConfig, first *checkin.Business, create bool) ([]*checkin.Business, error) {
	locs := []*checkin.Business{first}
	for i := 2; i <= cfg.Failed.Locations; i++ {
		addr := fmt.Sprintf("%s-%d", cfg.Location, i)
		b, err := db.BusinessByWebAddress(ctx, addr)
		if err == nil && b == nil && create {
			b, err = createLocation(ctx, db, addr, first.NetworkID)
		}
		if err != nil {
			return nil, err
		}
		if b == nil {
			return nil, fmt.Errorf("location %s was not seeded: seed afresh, or use the sizes it was seeded with", addr)
		}
		locs = append(locs, b)
	}
	return locs, nil
}
