package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
)

// Config is a whole run of the tool.
type Config struct {
	DBs       []string // each "sqlite" (a fresh file; "sqlite?memo=on" with options), a SQLite file path, or a postgres:// URL
	ServerBin string   // the checkin binary to start, with "serve"
	// ServerArgs are added to "checkin serve" (--log-level, --pprof-addr...).
	ServerArgs []string
	URL        string // a running server to drive instead of starting one
	ServerPID  int    // that server's process, for its memory and CPU
	CeilingBin string // the executable that serves the ceiling with "ceiling-serve --addr A"
	Ceiling    bool   // measure the ceiling

	Seed         SeedConfig
	Mixes        []Mix
	Concurrency  int
	Warmup       time.Duration
	Duration     time.Duration
	ListRequests int

	// Webhooks, when above 0, measures each database twice: without
	// webhooks, then with this many subscribed (at most 3) to a fast local
	// receiver, whose delivery rate is reported.
	Webhooks int

	// Instances, above 1, measures each PostgreSQL database again with
	// that many servers on it, the connections dealt among them.
	Instances int
	// PGBench, when set, also runs pgbench -N -c 32 -j 2 (scale 10) on the
	// first PostgreSQL server named, as the ceiling of its rates.
	PGBench bool

	WorkDir  string    // for SQLite files and server logs
	Keep     bool      // keep the PostgreSQL schemas the run creates
	Progress io.Writer // where progress is told
}

// Run seeds each database, drives a server on it with each mix, measures
// the list, and then the ceiling; it returns every figure for the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	rep := &Report{}
	for _, db := range cfg.DBs {
		if err := runDB(ctx, cfg, db, 0, 1, rep); err != nil {
			return rep, err
		}
		if cfg.Instances > 1 && sqlstore.IsPostgres(db) && cfg.URL == "" && ctx.Err() == nil {
			if err := runDB(ctx, cfg, db, 0, cfg.Instances, rep); err != nil {
				return rep, err
			}
		}
		if cfg.Webhooks > 0 && ctx.Err() == nil {
			if err := runDB(ctx, cfg, db, cfg.Webhooks, 1, rep); err != nil {
				return rep, err
			}
		}
	}
	if cfg.PGBench && ctx.Err() == nil {
		if err := runPGBench(ctx, cfg, rep); err != nil {
			return rep, err
		}
	}
	if cfg.Ceiling && len(cfg.Mixes) > 0 && ctx.Err() == nil {
		if err := runCeiling(ctx, cfg, rep); err != nil {
			return rep, err
		}
	}
	return rep, ctx.Err()
}

func (cfg Config) say(format string, args ...any) {
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, format+"\n", args...)
	}
}

// runDB measures one database: seed, start a server on it, run the loads and
// the list, stop the server.
func runDB(ctx context.Context, cfg Config, db string, webhooks, instances int, rep *Report) error {
	label, dsn, cleanup, err := prepareDB(cfg, db)
	if err != nil {
		return err
	}
	defer cleanup()
	if webhooks > 0 {
		label += fmt.Sprintf("+%d webhooks", webhooks)
	}
	seeded, err := seedDB(ctx, cfg, label, dsn)
	if err != nil {
		return err
	}
	target, stop, err := startTarget(ctx, cfg, label, dsn)
	if err != nil {
		return err
	}
	defer stop()
	var more []string
	for i := 2; i <= instances; i++ {
		p, stop, err := startTarget(ctx, cfg, fmt.Sprintf("%s-%d", label, i), dsn)
		if err != nil {
			return err
		}
		defer stop()
		more = append(more, p.Addr)
	}
	if len(more) > 0 {
		label += fmt.Sprintf(" x%d", len(more)+1)
	}
	var recv *Receiver
	if webhooks > 0 {
		if recv, err = StartReceiver(); err != nil {
			return err
		}
		defer recv.Close()
		if err := Subscribe(ctx, "http://"+target.Addr, seeded.Location.ID, webhooks, recv); err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
	}
	for _, mix := range cfg.Mixes {
		cfg.say("%s: %s for %s after %s of warm-up, %d connections", label, mix, cfg.Duration, cfg.Warmup, cfg.Concurrency)
		l := &Load{Addr: target.Addr, MoreAddrs: more, Host: cfg.Seed.Location + ".localhost:" + port(target.Addr), Mix: mix, Seed: cfg.Seed,
			Concurrency: cfg.Concurrency, Warmup: cfg.Warmup, Duration: cfg.Duration, CheckAnswers: true, ServerPID: target.PID}
		decided, fromMemory, _ := decisionCounts(ctx, target.Addr)
		rep.Rows = append(rep.Rows, Row{DB: label, Phase: mix.String(), Load: l.Run(ctx)})
		if note := memoNote(ctx, label, mix.String(), target.Addr, decided, fromMemory); note != "" {
			rep.Notes = append(rep.Notes, note)
		}
	}
	if recv != nil {
		cfg.say("%s: waiting for the webhooks' deliveries", label)
		n, span := recv.drain(ctx)
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s: %d deliveries received, %.0f/s from the first to the last (%s)",
			label, n, float64(n)/max(span.Seconds(), 0.001), span.Round(time.Millisecond)))
	}
	if cfg.Seed.Failed.Records > 0 && cfg.ListRequests > 0 && ctx.Err() == nil {
		list, err := runList(ctx, cfg, seeded, "http://"+target.Addr)
		if err != nil {
			return err
		}
		rep.Rows = append(rep.Rows, Row{DB: label, Phase: fmt.Sprintf("list: 1 day of %d failed", cfg.Seed.Failed.Records), List: list})
	}
	if st, err := ReadProc(target.PID); err == nil {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s: server peak resident memory over its life (VmHWM) %s", label, mb(st.HWM)))
	}
	return nil
}

// prepareDB turns a --db value into a label and a DSN: "sqlite" is a fresh
// file in the work folder; a postgres:// URL without a search_path gets a
// fresh schema, dropped afterwards unless cfg.Keep.
func prepareDB(cfg Config, db string) (label, dsn string, cleanup func(), err error) {
	cleanup = func() {}
	switch {
	case db == "sqlite":
		return "sqlite", filepath.Join(cfg.WorkDir, fmt.Sprintf("bench-%d.db", time.Now().UnixNano())), cleanup, nil
	case strings.HasPrefix(db, "sqlite?"): // a fresh file with options, e.g. sqlite?memo=on
		return db, filepath.Join(cfg.WorkDir, fmt.Sprintf("bench-%d.db", time.Now().UnixNano())) + db[len("sqlite"):], cleanup, nil
	case !sqlstore.IsPostgres(db):
		return "sqlite", db, cleanup, nil
	}
	u, err := url.Parse(db)
	if err != nil {
		return "", "", nil, fmt.Errorf("--db: %w", err)
	}
	if u.Query().Get("search_path") != "" {
		return "postgres", db, cleanup, nil
	}
	schema := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	if err := postgresSchema(db, "CREATE SCHEMA "+schema); err != nil {
		return "", "", nil, err
	}
	if !cfg.Keep {
		cleanup = func() { _ = postgresSchema(db, "DROP SCHEMA "+schema+" CASCADE") }
	} else {
		cfg.say("postgres: keeping schema %s", schema)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return "postgres", u.String(), cleanup, nil
}

func seedDB(ctx context.Context, cfg Config, label, dsn string) (*Seeded, error) {
	store, err := sqlstore.Open(ctx, dsn, checkin.SystemClock{}, nil)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	cfg.say("%s: seeding %d members, %d tokens, %d failed check-ins", label, cfg.Seed.Members, cfg.Seed.Tokens, cfg.Seed.Failed.Records)
	seeded, err := Seed(ctx, store, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("%s: seed: %w", label, err)
	}
	if seeded.Reused {
		cfg.say("%s: location %s is there already: reused as seeded", label, cfg.Seed.Location)
	} else {
		cfg.say("%s: seeded the members in %s and the failed check-ins in %s", label, seeded.Members.Round(time.Millisecond), seeded.Failed.Round(time.Millisecond))
	}
	return seeded, nil
}

// startTarget starts a checkin server on dsn, or takes the one at cfg.URL.
func startTarget(ctx context.Context, cfg Config, label, dsn string) (*Process, func(), error) {
	if cfg.URL != "" {
		u, err := url.Parse(cfg.URL)
		if err != nil {
			return nil, nil, fmt.Errorf("--url: %w", err)
		}
		return &Process{Addr: u.Host, PID: cfg.ServerPID}, func() {}, nil
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, nil, err
	}
	log, err := os.Create(filepath.Join(cfg.WorkDir, "server-"+label+".log"))
	if err != nil {
		return nil, nil, err
	}
	args := append([]string{"serve", "--addr", addr, "--db", dsn, "--base-domain", "localhost",
		"--trusted-devices", "127.0.0.1,::1", "--webhooks-allow-private"}, cfg.ServerArgs...)
	cfg.say("%s: starting %s %s", label, cfg.ServerBin, strings.Join(redactArgs(args), " "))
	p, err := StartProcess(ctx, addr, "/readyz", log, cfg.ServerBin, args...)
	if err != nil {
		log.Close()
		return nil, nil, err
	}
	return p, func() { p.Stop(); log.Close() }, nil
}

func runList(ctx context.Context, cfg Config, seeded *Seeded, baseURL string) (*ListResult, error) {
	token, err := AdminToken(ctx, baseURL)
	if err != nil {
		return nil, err
	}
	day := cfg.Seed.Failed.ListDay()
	want := cfg.Seed.Failed.CountOn(0, day)
	cfg.say("list: GET %s, %d times", ListQuery(seeded.Location.ID, day), cfg.ListRequests)
	return MeasureList(ctx, baseURL, token, ListQuery(seeded.Location.ID, day), 5, cfg.ListRequests, want), nil
}

func runCeiling(ctx context.Context, cfg Config, rep *Report) error {
	addr, err := FreeAddr()
	if err != nil {
		return err
	}
	cfg.say("ceiling: plain net/http handler in its own process, %s for %s", cfg.Mixes[0], cfg.Duration)
	p, err := StartProcess(ctx, addr, "/readyz", io.Discard, cfg.CeilingBin, "ceiling-serve", "--addr", addr)
	if err != nil {
		return err
	}
	defer p.Stop()
	l := &Load{Addr: addr, Host: cfg.Seed.Location + ".localhost:" + port(addr), Mix: cfg.Mixes[0], Seed: cfg.Seed,
		Concurrency: cfg.Concurrency, Warmup: cfg.Warmup, Duration: cfg.Duration, ServerPID: p.PID}
	rep.Rows = append(rep.Rows, Row{DB: "ceiling", Phase: cfg.Mixes[0].String(), Load: l.Run(ctx)})
	return nil
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// postgresSchema runs one statement on the PostgreSQL database at dsn.
func postgresSchema(dsn, statement string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(statement)
	return err
}

// redactArgs hides the password of a database URL among arguments.
func redactArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if u, err := url.Parse(a); err == nil && u.User != nil {
			out[i] = u.Redacted()
		}
	}
	return out
}
