package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
	"github.com/checkin-oss/checkin/web"
)

var nextLink = regexp.MustCompile(`href="([^"]+)" rel="next"`)

// A text search of Failed check-ins reads a bounded number of refusals a
// page (here 5), newest first, and goes on from where it stopped: followed
// to its end it finds every match once, two refusals of one microsecond
// included.
func TestFailedTextSearchReadsAFewRefusalsAPage(t *testing.T) {
	t.Parallel()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, dialect, func(p *web.Pages) { p.SearchScan = 5 })
			name := "Business"
			const n = 30
			_, err := s.DB.SeedFailedCheckins(context.Background(), n, func(i int, f *checkin.FailedCheckin) {
				at := storetest.Start.Add(-time.Duration(i) * time.Minute)
				if i == 11 {
					at = at.Add(time.Minute) // the same time as 10
				}
				f.BusinessID, f.BusinessName, f.Source = s.location, &name, checkin.SourceDoorAccess
				f.CheckinAttemptTime = checkin.NewTime(at)
				f.Description = checkin.StringPtr(fmt.Sprintf("Card hay-%d is not registered.", i))
				if i%7 == 3 || i == 11 || i == 10 {
					f.Description = checkin.StringPtr(fmt.Sprintf("Card needle-%d is not registered.", i))
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := s.operator()
			found := map[string]int{}
			path, pages := "/console/failed?"+loc(s)+"&q=NEEDLE", 0
			for path != "" && pages < 20 {
				p := b.get(path)
				want(t, p, http.StatusOK)
				for _, m := range regexp.MustCompile(`needle-\d+`).FindAllString(p.Body, -1) {
					found[m]++
				}
				if pages == 0 && (len(found) != 1 || !strings.Contains(p.Body, "Searched the refusals back to")) {
					t.Errorf("the first page of a search holds %v, want needle-3 alone (of the newest 5), and how far back it read", found)
				}
				pages++
				path = ""
				if m := nextLink.FindStringSubmatch(p.Body); m != nil {
					path = html.UnescapeString(m[1])
				}
			}
			wantFound := map[string]int{"needle-3": 1, "needle-10": 1, "needle-11": 1, "needle-17": 1, "needle-24": 1}
			if fmt.Sprint(found) != fmt.Sprint(wantFound) {
				t.Errorf("followed to its end, the search found %v, want %v", found, wantFound)
			}
			if pages < n/5 || pages > n/5+1 {
				t.Errorf("the search took %d pages, want %d or %d (5 refusals read a page)", pages, n/5, n/5+1)
			}
			want(t, b.get("/console/failed?"+loc(s)+"&q=x&before=soon"), http.StatusBadRequest, "is not where a search stopped")
		})
	}
}
