package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/checkin-oss/checkin/loadtest"
)

// runPages is "checkin-bench pages": the console's views on the load tool's
// database, each asked for one request after another; it prints each
// view's median and slowest time.
func runPages(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("checkin-bench pages", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := loadtest.PagesConfig{Progress: stderr}
	fs.StringVar(&cfg.DSN, "db", "", "the database: a SQLite file or a postgres:// URL (set search_path to keep it apart); seeded on the first run, reused after")
	fs.IntVar(&cfg.Seed.Members, "members", 10_000, "members to seed")
	fs.IntVar(&cfg.Seed.Failed.Records, "failed", 1_000_000, "failed check-ins to seed")
	fs.IntVar(&cfg.Seed.Failed.Days, "failed-days", 30, "days the failed check-ins are spread over")
	fs.IntVar(&cfg.Seed.Failed.Locations, "failed-locations", 4, "locations the failed check-ins are dealt to")
	fs.IntVar(&cfg.Open, "open", 200, "members checked in now")
	fs.IntVar(&cfg.Requests, "requests", 21, "requests per view")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.DSN == "" {
		return fmt.Errorf("--db is required: a SQLite file or a postgres:// URL")
	}
	cfg.Seed.Location, cfg.Seed.Tokens = "bench", 0
	fmt.Fprintf(stdout, "checkin-bench pages: %d members, %d failed check-ins, %d requests a view; %d CPUs, %s\n",
		cfg.Seed.Members, cfg.Seed.Failed.Records, cfg.Requests, runtime.NumCPU(), runtime.Version())
	printLoad(stdout)
	timings, err := loadtest.MeasurePages(ctx, cfg)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "view\tmedian\tslowest\tbytes")
	for _, t := range timings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", t.View, ms(t.Median), ms(t.Worst), t.Length)
	}
	tw.Flush()
	return err
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
