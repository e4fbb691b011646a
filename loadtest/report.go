package loadtest

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is every figure of a run, in the order measured.
type Report struct {
	Rows  []Row
	Notes []string
}

// Row is one phase on one database: a load, or the list.
type Row struct {
	DB    string // sqlite, postgres or ceiling
	Phase string
	Load  *LoadResult
	List  *ListResult
}

// Write prints the report as a table, then its notes and the first
// unexpected answer of each phase that had one.
func (rep *Report) Write(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "db\tphase\tmethod\treq/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\terrors\tunexpected\tsrv RSS MB\tsrv CPU\tclient CPU\tother CPU\t")
	var samples []string
	for _, row := range rep.Rows {
		switch {
		case row.Load != nil:
			writeLoad(tw, row)
			for _, m := range row.Load.Methods {
				if m.Sample != "" {
					samples = append(samples, row.DB+" "+row.Phase+": "+m.Sample)
				}
			}
		case row.List != nil:
			l := row.List
			fmt.Fprintf(tw, "%s\t%s\t%s\t-\t%s\t%d\t%d\t-\t-\t-\t-\t\n", row.DB, row.Phase, "list", latencies(l.Latency), l.Errors, l.Unexpected)
			if l.Sample != "" {
				samples = append(samples, row.DB+" "+row.Phase+": "+l.Sample)
			}
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s list: TotalItems %d (the seed put %d there)", row.DB, l.TotalItems, l.Want))
		}
	}
	tw.Flush()
	for _, n := range rep.Notes {
		fmt.Fprintln(w, "- "+n)
	}
	for _, s := range samples {
		fmt.Fprintln(w, "- first error or unexpected answer: "+s)
	}
}

// writeLoad prints a load's methods (when there are several) and its total,
// which carries the phase's server and client figures.
func writeLoad(w io.Writer, row Row) {
	res := row.Load
	if len(res.Methods) > 1 {
		for _, m := range res.Methods {
			fmt.Fprintf(w, "%s\t%s\t%s\t%.0f\t%s\t%d\t%d\t\t\t\t\t\n", row.DB, row.Phase, m.Method, res.RPS(m), latencies(m.Latency), m.Errors, m.Unexpected)
		}
	}
	total := res.Total
	name := total.Method
	if len(res.Methods) == 1 {
		name = res.Methods[0].Method
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%.0f\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t\n", row.DB, row.Phase, name, res.RPS(total), latencies(total.Latency),
		total.Errors, total.Unexpected, mb(res.ServerRSS), cores(res.ServerCPU, res.Elapsed), cores(res.ClientCPU, res.Elapsed), cores(res.OtherCPU, res.Elapsed))
}

// latencies prints p50, p90, p99 and max as tab-separated milliseconds.
func latencies(h *Histogram) string {
	if h.Count() == 0 {
		return "-\t-\t-\t-"
	}
	return strings.Join([]string{ms(h.Percentile(50)), ms(h.Percentile(90)), ms(h.Percentile(99)), ms(h.Max())}, "\t")
}

// ms prints a duration in milliseconds with three significant digits or so.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

func mb(bytes int64) string {
	if bytes <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(bytes)/(1<<20))
}

// cores prints CPU time as the number of cores it kept busy.
func cores(cpu, wall time.Duration) string {
	if wall <= 0 || cpu < 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", cpu.Seconds()/wall.Seconds())
}
