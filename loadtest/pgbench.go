package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/checkin-oss/checkin/sqlstore"
)

// pgbenchDB is the database pgbench's tables are made in, on the server of
// the first PostgreSQL URL; it is dropped afterwards.
const pgbenchDB = "checkin_pgbench"

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// runPGBench measures the PostgreSQL server's own rate of small write
// transactions (pgbench -N -c 32 -j 2 at scale 10, for the run's duration)
// and reports each PostgreSQL phase's rate as a share of it.
func runPGBench(ctx context.Context, cfg Config, rep *Report) error {
	var server string
	for _, db := range cfg.DBs {
		if sqlstore.IsPostgres(db) {
			server = db
			break
		}
	}
	if server == "" {
		return fmt.Errorf("--pgbench needs a --db postgres:// URL")
	}
	u, err := url.Parse(server)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	admin, err := sql.Open("pgx", u.String())
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pgbenchDB); err != nil {
		return err
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pgbenchDB); err != nil {
		return err
	}
	defer admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+pgbenchDB)
	u.Path = "/" + pgbenchDB
	cfg.say("pgbench: -i -s 10, then -N -c 32 -j 2 for %s", cfg.Duration)
	if out, err := exec.CommandContext(ctx, "pgbench", "-i", "-s", "10", "-q", u.String()).CombinedOutput(); err != nil {
		return fmt.Errorf("pgbench -i: %v: %s", err, out)
	}
	secs := strconv.Itoa(max(1, int(cfg.Duration/time.Second)))
	out, err := exec.CommandContext(ctx, "pgbench", "-N", "-c", "32", "-j", "2", "-T", secs, u.String()).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgbench -N: %v: %s", err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return fmt.Errorf("pgbench -N printed no tps line: %s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	rep.Notes = append(rep.Notes, fmt.Sprintf("pgbench -N -c 32 -j 2 (scale 10, %ss): %.0f transactions/s", secs, tps))
	if cfg.CeilingBin != "" {
		if err := runPGBenchOverHTTP(ctx, cfg, rep, u.String()); err != nil {
			return err
		}
	}
	for _, row := range rep.Rows {
		if row.Load == nil || !strings.HasPrefix(row.DB, "postgres") && row.DB != pgbenchHTTP {
			continue
		}
		for _, mr := range row.Load.Methods {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s %s %s: %.0f/s = %.2f x pgbench", row.DB, row.Phase, mr.Method, row.Load.RPS(mr), row.Load.RPS(mr)/tps))
		}
		if len(row.Load.Methods) > 1 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s %s all: %.0f/s = %.2f x pgbench", row.DB, row.Phase, row.Load.RPS(row.Load.Total), row.Load.RPS(row.Load.Total)/tps))
		}
	}
	return nil
}

// pgbenchHTTP names the row of pgbench's transaction behind HTTP.
const pgbenchHTTP = "pgbench/http"

// runPGBenchOverHTTP runs the first mix against the ceiling's handler
// running pgbench's transaction for each request (CeilingHandler): what
// HTTP, the Go driver and the load generator, on the same cores, leave of
// pgbench's rate before any check-in work.
func runPGBenchOverHTTP(ctx context.Context, cfg Config, rep *Report, dsn string) error {
	addr, err := FreeAddr()
	if err != nil {
		return err
	}
	cfg.say("pgbench/http: pgbench -N's transaction behind a plain net/http handler, %s for %s", cfg.Mixes[0], cfg.Duration)
	p, err := StartProcess(ctx, addr, "/readyz", io.Discard, cfg.CeilingBin, "ceiling-serve", "--addr", addr, "--pgbench-db", dsn)
	if err != nil {
		return err
	}
	defer p.Stop()
	l := &Load{Addr: addr, Host: cfg.Seed.Location + ".localhost:" + port(addr), Mix: cfg.Mixes[0], Seed: cfg.Seed,
		Concurrency: cfg.Concurrency, Warmup: cfg.Warmup, Duration: cfg.Duration, ServerPID: p.PID}
	rep.Rows = append(rep.Rows, Row{DB: pgbenchHTTP, Phase: cfg.Mixes[0].String(), Load: l.Run(ctx)})
	return nil
}
