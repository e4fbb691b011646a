package main

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// documentedMetrics are the checkin_* metrics of docs/operations.md's
// table, by their type there.
func documentedMetrics(t *testing.T) map[string]string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `(checkin_[a-z_]+)` \\| ([a-z]+)")
	out := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		out[m[1]] = m[2]
	}
	if len(out) < 5 {
		t.Fatalf("docs/operations.md names %d checkin_* metrics in its table; the test reads too few", len(out))
	}
	return out
}

// TestEveryDocumentedMetricIsThereFromTheFirstScrape: the first scrape of a
// fresh server holds every metric the docs name, with the type they say,
// each counter at 0, including a location's spraying series.
func TestEveryDocumentedMetricIsThereFromTheFirstScrape(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			addr := freeAddr(t)
			s := startServe(t, addr, "serve", "--demo", "--addr", addr, "--db", storetest.DSN(t, dialect))
			c := apitest.NewClient(t, s.url)
			text := string(c.Want(c.Do("GET", "/metrics", "", nil), http.StatusOK, "the first scrape").Body)
			for name, kind := range documentedMetrics(t) {
				if kind != "counter" && !strings.Contains(text, "# TYPE "+name+" ") {
					// A gauge of nothing yet (doors unseen, with no doors) has no
					// series; it must still be a metric the code declares.
					if !declared(t, name) {
						t.Errorf("%s is documented, but no code declares it", name)
					}
					continue
				}
				if !strings.Contains(text, "# TYPE "+name+" "+kind+"\n") {
					t.Errorf("the first scrape has no %s of type %s", name, kind)
					continue
				}
				samples := samplesOf(text, name)
				if len(samples) == 0 {
					t.Errorf("the first scrape has no sample of %s", name)
				}
				for _, line := range samples {
					if kind == "counter" && !strings.HasSuffix(line, " 0") {
						t.Errorf("a counter not at 0 on the first scrape: %s", line)
					}
				}
			}
			for _, want := range []string{
				`checkin_pincode_spraying_total{location="demo"} 0`,
				`checkin_throttled_total{key="location",kind="pincode"} 0`,
				`checkin_decisions_total{method="card",result="INVALID_CARD_NUMBER"} 0`,
				`checkin_http_requests_total{code="503",route="POST /api/public/checkin"} 0`,
			} {
				if !strings.Contains(text, want+"\n") {
					t.Errorf("the first scrape has no line %s", want)
				}
			}
		})
	}
}

// declared reports whether some Go file of the module names the metric.
func declared(t *testing.T, name string) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || found || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		found = err == nil && strings.Contains(string(b), `"`+name+`"`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// samplesOf returns the sample lines of a metric (a histogram's included).
func samplesOf(text, name string) []string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok && (strings.HasPrefix(rest, "{") || strings.HasPrefix(rest, " ") ||
			strings.HasPrefix(rest, "_bucket") || strings.HasPrefix(rest, "_count") || strings.HasPrefix(rest, "_sum")) {
			out = append(out, line)
		}
	}
	return out
}
