package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/checkin-oss/checkin/loadtest"
)

// runRadius is "checkin-bench radius": MAC authentication of checked-in
// members over RADIUS, checkin against FreeRADIUS 3.2 with the same MACs in
// its files module, on this machine, with the same packets.
func runRadius(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("checkin-bench radius", flag.ContinueOnError)
	fs.SetOutput(stderr)
	b := loadtest.RadiusBench{}
	fs.StringVar(&b.Bin, "server-bin", siblingBinary("checkin"), "the checkin binary to start")
	fs.IntVar(&b.Members, "members", 2000, "members, each with one device")
	fs.IntVar(&b.InFlight, "inflight", 64, "requests in flight at once")
	fs.DurationVar(&b.Duration, "duration", 10*time.Second, "how long each server is measured")
	logPath := fs.String("log", "", "where the servers' output goes (default: discarded)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "checkin-radius-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b.Dir, b.Log = dir, io.Discard
	if *logPath != "" {
		f, err := os.Create(*logPath)
		if err != nil {
			return err
		}
		defer f.Close()
		b.Log = f
	}
	fmt.Fprintf(stdout, "checkin-bench radius: %d members, %d in flight, %s per server; %d CPUs, %s\n",
		b.Members, b.InFlight, b.Duration, runtime.NumCPU(), runtime.Version())
	printLoad(stdout)
	rep, err := b.Run(ctx)
	if rep != nil {
		rep.Write(stdout)
	}
	return err
}
