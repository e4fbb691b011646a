package loadtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/secret"
	"github.com/checkin-oss/checkin/sqlstore"
)

// RadiusBench compares checkin's RADIUS server with FreeRADIUS on the same
// machine with the same packets: MAC authentication of members already
// checked in, InFlight requests at once, for Duration each; the first
// check-ins over RADIUS (each member's first MAC authentication) are
// measured beside.
type RadiusBench struct {
	Bin      string // the checkin binary
	Dir      string // a scratch directory
	Members  int
	InFlight int
	Duration time.Duration
	Log      io.Writer // the servers' output
}

// RadiusReport is what RadiusBench measured.
type RadiusReport struct {
	First, Checkin, FreeRADIUS *RadiusResult
	CheckinPeakRSS             int64 // bytes
}

const radiusBenchSecret = "radius-bench-secret"

// Run seeds a SQLite database, then measures checkin, then FreeRADIUS.
func (b RadiusBench) Run(ctx context.Context) (*RadiusReport, error) {
	macs := make([]string, b.Members)
	for i := range macs {
		macs[i] = spell(appendMemberMAC, i)
	}
	dbPath := filepath.Join(b.Dir, "radius-bench.db")
	if err := seedRadius(ctx, dbPath, b.Members); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	httpAddr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	udp, err := freeUDPPort()
	if err != nil {
		return nil, err
	}
	radiusAddr := net.JoinHostPort("127.0.0.1", fmt.Sprint(udp))
	p, err := StartProcess(ctx, httpAddr, "/healthz", b.Log, b.Bin, "serve", "--addr", httpAddr, "--db", dbPath, "--radius-auth-addr", radiusAddr)
	if err != nil {
		return nil, err
	}
	rep := &RadiusReport{}
	load := RadiusLoad{Addr: radiusAddr, Secret: []byte(radiusBenchSecret), MACs: macs, InFlight: b.InFlight}
	sampler := startSampler(p.PID, 100*time.Millisecond)
	rep.First, err = load.Run(ctx) // each member once: their first check-in
	if err == nil {
		load.Duration = b.Duration
		rep.Checkin, err = load.Run(ctx)
	}
	rep.CheckinPeakRSS = sampler.Stop()
	p.Stop()
	if err != nil {
		return rep, err
	}
	frDir := filepath.Join(b.Dir, "freeradius")
	if err := os.MkdirAll(frDir, 0o700); err != nil {
		return rep, err
	}
	addr, _, stop, err := StartFreeRADIUS(ctx, frDir, radiusBenchSecret, macs, b.Log)
	if err != nil {
		return rep, err
	}
	defer stop()
	load.Addr = addr
	rep.FreeRADIUS, err = load.Run(ctx)
	return rep, err
}

// seedRadius writes a location, its members each with one device, and a
// RADIUS client for 127.0.0.1.
func seedRadius(ctx context.Context, dbPath string, members int) error {
	db, err := sqlstore.Open(ctx, dbPath, checkin.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	loc, err := createLocation(ctx, db, "radius", 0)
	if err != nil {
		return err
	}
	hash, err := secret.HashPassword(MemberPassword)
	if err != nil {
		return err
	}
	if err := db.SeedMembers(ctx, loc.ID, 0, 0, hash, seedMemberList(members)); err != nil {
		return err
	}
	c := checkin.RadiusClients.New()
	c.BusinessID, c.Name, c.Address, c.Secret, c.CoaAddress = loc.ID, "bench", "127.0.0.1", radiusBenchSecret, checkin.CoaNone
	_, err = db.RadiusClients().Create(ctx, c)
	return err
}

// Write prints the report.
func (r *RadiusReport) Write(w io.Writer) {
	line := func(name string, res *RadiusResult) {
		if res == nil {
			return
		}
		fmt.Fprintf(w, "%-40s %9.0f accepts/s  (%d accepts, %d rejects, %d unanswered, %d invalid in %s; p50 %s, p99 %s)\n",
			name, res.PerSecond(), res.Accepts, res.Rejects, res.Unanswered, res.Invalid, res.Elapsed.Round(time.Millisecond),
			res.Latency.Percentile(50), res.Latency.Percentile(99))
	}
	line("checkin, first check-ins over RADIUS", r.First)
	line("checkin, MAC auth of checked-in members", r.Checkin)
	line("FreeRADIUS 3.2, files (authorized_macs)", r.FreeRADIUS)
	if r.Checkin != nil && r.FreeRADIUS != nil && r.FreeRADIUS.PerSecond() > 0 {
		fmt.Fprintf(w, "ratio checkin / FreeRADIUS: %.2f×; checkin's peak memory %d MB\n", r.Checkin.PerSecond()/r.FreeRADIUS.PerSecond(), r.CheckinPeakRSS>>20)
	}
}
