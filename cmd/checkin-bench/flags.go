package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/checkin-oss/checkin/loadtest"
)

// options are the command line's flags.
type options struct {
	dbs, mixes                  listFlag
	serverBin, url, location    string
	serverLogLevel, pprofAddr   string
	serverPID, members, tokens  int
	failed, failedDays, failedN int
	concurrency, listRequests   int
	webhooks, instances         int
	pgbench                     bool
	warmup, duration            time.Duration
	ceiling, keep               bool
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("checkin-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&o.dbs, "db", `a database to measure, repeatable: "sqlite" (a fresh file; "sqlite?memo=on" for one with the memo), a SQLite file, or a postgres:// URL (a fresh schema unless it sets search_path) (default sqlite)`)
	fs.Var(&o.mixes, "mix", "a phase's methods and weights, repeatable, e.g. card=1,mac=1,pincode=1 or unknown_card=1,unknown_mac=1 (methods: card, mac, pincode, email_pincode, password, token, unknown_card, unknown_mac) (default card=1,mac=1,pincode=1)")
	fs.StringVar(&o.serverBin, "server-bin", siblingBinary("checkin"), "the checkin binary to start")
	fs.StringVar(&o.url, "url", "", "drive the server at this URL instead of starting one (it must use the --db given, base domain localhost and --trusted-devices 127.0.0.1)")
	fs.IntVar(&o.serverPID, "server-pid", 0, "with --url: the server's process id, for its memory and CPU")
	fs.StringVar(&o.serverLogLevel, "server-log-level", "warn", "the started server's --log-level (info logs a line per request)")
	fs.StringVar(&o.pprofAddr, "pprof-addr", "", "the started server's --pprof-addr, to profile it during the run")
	fs.StringVar(&o.location, "location", "bench", "the web address of the seeded location")
	fs.IntVar(&o.members, "members", 10_000, "members to seed")
	fs.IntVar(&o.tokens, "tokens", 1_000, "access tokens to seed")
	fs.IntVar(&o.failed, "failed", 0, "failed check-ins to seed for the list benchmark (e.g. 1000000); 0 skips the list")
	fs.IntVar(&o.failedDays, "failed-days", 30, "days the failed check-ins are spread over")
	fs.IntVar(&o.failedN, "failed-locations", 4, "locations the failed check-ins are dealt to")
	fs.IntVar(&o.listRequests, "list-requests", 200, "list requests to time, one after another")
	fs.IntVar(&o.webhooks, "webhooks", 0, "also measure each database with this many webhooks (at most 3) subscribed to a local receiver, and report their delivery rate")
	fs.IntVar(&o.instances, "instances", 1, "also measure each PostgreSQL database with this many servers on it, the connections dealt among them")
	fs.BoolVar(&o.pgbench, "pgbench", false, "also run pgbench -N -c 32 -j 2 (scale 10) on the PostgreSQL server, and report each PostgreSQL rate as a share of it")
	fs.IntVar(&o.concurrency, "concurrency", 64, "connections, each with one request in flight")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "load before each phase's measurement, not counted")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "each phase's measured time")
	fs.BoolVar(&o.ceiling, "ceiling", true, "measure the ceiling: a plain net/http handler under the first mix")
	fs.BoolVar(&o.keep, "keep", false, "keep the work folder (SQLite files, server logs) and the PostgreSQL schemas")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if len(o.dbs) == 0 {
		o.dbs = listFlag{"sqlite"}
	}
	if len(o.mixes) == 0 {
		o.mixes = listFlag{"card=1,mac=1,pincode=1"}
	}
	return o, nil
}

// config checks the options and turns them into the run's configuration.
func (o *options) config(stderr io.Writer) (loadtest.Config, func(), error) {
	cfg := loadtest.Config{
		DBs: o.dbs, ServerBin: o.serverBin, URL: o.url, ServerPID: o.serverPID,
		ServerArgs: []string{"--log-level", o.serverLogLevel},
		Seed: loadtest.SeedConfig{Location: o.location, Members: o.members, Tokens: o.tokens,
			Failed: loadtest.FailedSpec{Records: o.failed, Days: o.failedDays, Locations: o.failedN}},
		Concurrency: o.concurrency, Warmup: o.warmup, Duration: o.duration, ListRequests: o.listRequests,
		Keep: o.keep, Progress: stderr, Webhooks: o.webhooks, Instances: o.instances, PGBench: o.pgbench,
	}
	if o.pprofAddr != "" {
		cfg.ServerArgs = append(cfg.ServerArgs, "--pprof-addr", o.pprofAddr)
	}
	for _, s := range o.mixes {
		mix, err := loadtest.ParseMix(s)
		if err != nil {
			return cfg, nil, err
		}
		cfg.Mixes = append(cfg.Mixes, mix)
	}
	switch {
	case o.members < 1 || o.tokens < 0 || o.failed < 0 || o.failedDays < 1 || o.failedN < 1:
		return cfg, nil, fmt.Errorf("--members must be at least 1, --failed-days and --failed-locations at least 1")
	case o.concurrency < 1 || o.duration <= 0 || o.warmup < 0:
		return cfg, nil, fmt.Errorf("--concurrency must be at least 1 and --duration positive")
	case o.url != "" && len(o.dbs) != 1:
		return cfg, nil, fmt.Errorf("--url drives one server: give the one --db it uses")
	}
	self, err := os.Executable()
	if err != nil {
		return cfg, nil, err
	}
	cfg.CeilingBin, cfg.Ceiling = self, o.ceiling
	dir, cleanup, err := workDir(o.keep, stderr)
	cfg.WorkDir = dir
	return cfg, cleanup, err
}
