// Command checkin-bench measures the check-in service: it seeds a location
// through the store, starts the checkin binary on it (or drives one already
// running), sends POST /api/public/checkin over real HTTP with a mix of
// methods, and prints requests per second, latency percentiles per method,
// errors, unexpected answers and the server's memory, the list of failed
// check-ins, and the ceiling of a plain net/http handler on this machine.
//
//	go build -o bin/ ./cmd/checkin ./cmd/checkin-bench
//	bin/checkin-bench --db sqlite --db postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//	bin/checkin-bench radius    # RADIUS MAC authentication against FreeRADIUS 3.2
//	bin/checkin-bench pages --db pages.db  # the console's views on 1 000 000 failed check-ins
//
// See docs/performance.md for the commands behind the published figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/checkin-oss/checkin/loadtest"
	"github.com/checkin-oss/checkin/secret"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "checkin-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "ceiling-serve" {
		return serveCeiling(ctx, args[1:], stderr)
	}
	if len(args) > 0 && args[0] == "radius" {
		return runRadius(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "pages" {
		return runPages(ctx, args[1:], stdout, stderr)
	}
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	cfg, cleanup, err := opts.config(stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintf(stdout, "checkin-bench: %d members, %d tokens; %d connections; %s per phase after %s of warm-up; %d CPUs, %s\n",
		cfg.Seed.Members, cfg.Seed.Tokens, cfg.Concurrency, cfg.Duration, cfg.Warmup, runtime.NumCPU(), runtime.Version())
	printLoad(stdout)
	rep, err := loadtest.Run(ctx, cfg)
	if rep != nil {
		rep.Notes = append(rep.Notes, fmt.Sprintf("password hashes: argon2id, %d KiB, %d passes, %d lane(s)",
			secret.ArgonMemoryKiB, secret.ArgonTime, secret.ArgonThreads))
		rep.Write(stdout)
	}
	return err
}

// serveCeiling is the ceiling's own process: see loadtest.CeilingHandler.
func serveCeiling(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("checkin-bench ceiling-serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "where to listen")
	pgbench := fs.String("pgbench-db", "", "a postgres:// URL of pgbench's tables: run pgbench -N's transaction for each request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return loadtest.ServeCeiling(ctx, *addr, *pgbench)
}

// siblingBinary returns the path of name beside this executable, or name
// itself (to be found on PATH) when there is none.
func siblingBinary(name string) string {
	self, err := os.Executable()
	if err != nil {
		return name
	}
	path := filepath.Join(filepath.Dir(self), name)
	if _, err := os.Stat(path); err != nil {
		return name
	}
	return path
}

// workDir makes the folder for SQLite files and logs, removed afterwards
// unless keep.
func workDir(keep bool, stderr io.Writer) (string, func(), error) {
	dir, err := os.MkdirTemp("", "checkin-bench-")
	if err != nil {
		return "", nil, err
	}
	if keep {
		fmt.Fprintf(stderr, "checkin-bench: keeping %s (databases and server logs)\n", dir)
		return dir, func() {}, nil
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// printLoad writes the machine's load average, which the figures depend on.
func printLoad(w io.Writer) {
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(w, "load average at the start: %s", load)
	}
}
