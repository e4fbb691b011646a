package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
)

// DefaultSearchScan is how many refusals a text search of Failed check-ins
// reads for one page (Pages.SearchScan).
const DefaultSearchScan = 2000

type failedRow struct {
	Time, Name, Method, Reason string
}

// failedPage is the Failed check-ins view. Searched, when a text search
// stopped before the range's oldest refusal, says how far back it read.
type failedPage struct {
	listPage[failedRow]
	Searched string
}

// failed is GET /console/failed: the refused attempts and their reasons.
// A location may have hundreds of thousands in a month, so the list is not
// counted, and it is paged by a cursor rather than by an offset: each page
// costs the same, however deep.
func (p *Pages) failed(w http.ResponseWriter, r *http.Request, v *view) {
	page := failedPage{listPage: listPage[failedRow]{view: v}}
	f, err := readFilter(r, v)
	page.Filter, page.Methods = f, methodOptions(f.Method)
	var recs []*checkin.FailedCheckin
	if err == nil {
		recs, err = p.failedPage(r, v, f, &page)
	}
	for _, c := range recs {
		name := "Unknown"
		if c.CoworkerFullName != nil && *c.CoworkerFullName != "" {
			name = *c.CoworkerFullName
		}
		page.Rows = append(page.Rows, failedRow{Time: v.localTime(c.CheckinAttemptTime.Time, "2 Jan 15:04:05"),
			Name: name, Method: methodName(c.Source), Reason: deref(c.Description)})
	}
	p.renderList(w, r, "failed", &page.Error, err, &page)
}

func (p *Pages) windower() checkin.Windower[checkin.FailedCheckin] {
	return p.Store.FailedCheckins().(checkin.Windower[checkin.FailedCheckin])
}

// failedPage reads a page of the refusals of the filter's range and method
// (and, with a text, whose reason holds it), newest first, from the page's
// cursor on (the "before" parameter: the time and id of the last one read
// by the page before). No index serves a search inside a text, so a search
// reads at most SearchScan refusals, 500 at a time: its cost is that of a
// page, however long the range; a search of a busy month goes on by
// "Search older" links, and the page says how far back it has read.
func (p *Pages) failedPage(r *http.Request, v *view, f listFilter, page *failedPage) ([]*checkin.FailedCheckin, error) {
	cur, err := parseCursor(r.FormValue("before"))
	if err != nil {
		return nil, err
	}
	if cur.id == 0 {
		f.Page = 1 // a page number alone, without its cursor, starts at the newest
	}
	first, text := cur, strings.ToLower(f.Text)
	var found []*checkin.FailedCheckin
	more := true
	for read := 0; more && len(found) < consolePageSize && (text == "" || read < p.searchScan()); {
		n := consolePageSize - len(found)
		if text != "" {
			n = min(searchChunk, p.searchScan()-read)
		}
		chunk, hasMore, err := p.failedAfter(r.Context(), v, f, cur, n)
		if err != nil {
			return nil, err
		}
		more = hasMore
		progress := false
		for _, c := range chunk {
			if c.CheckinAttemptTime.Equal(cur.at) && c.ID >= cur.id {
				continue // read before
			}
			if len(found) == consolePageSize {
				more = true
				break
			}
			cur, progress = cursor{c.CheckinAttemptTime.Time, c.ID}, true
			read++
			if text == "" || strings.Contains(strings.ToLower(deref(c.Description)), text) {
				found = append(found, c)
			}
		}
		if !progress {
			break // a chunk of refusals all of one microsecond, all read: give up rather than loop
		}
	}
	page.Pager = pager{Page: f.Page, CSV: consolePath + "/failed.csv?" + f.query(v, 0)}
	if first.id != 0 {
		page.Pager.First = consolePath + "/failed?" + f.query(v, 0)
	}
	if more && cur.id != 0 {
		page.Pager.Next = consolePath + "/failed?" + f.query(v, f.Page+1) + "&before=" + cur.String()
		if text != "" {
			page.Searched = v.localTime(cur.at, "2 Jan 15:04:05")
		}
	}
	return found, nil
}

// searchChunk is how many refusals a search reads at a time.
const searchChunk = 500

// failedAfter reads up to n refusals of the filter's range and method after
// the cursor, newest first, and before them the cursor's own refusal and
// any other of its microsecond read before, which the caller skips.
func (p *Pages) failedAfter(ctx context.Context, v *view, f listFilter, cur cursor, n int) ([]*checkin.FailedCheckin, bool, error) {
	f.Text, f.Page = "", 1
	values := f.listValues("FailedCheckin", v, "CheckinAttemptTime", "Description")
	if !cur.at.IsZero() && cur.at.Before(f.to) {
		values.Set("to_FailedCheckin_CheckinAttemptTime", cur.at.UTC().Format(time.RFC3339Nano))
	}
	q, err := checkin.FailedCheckins.ParseListQuery(values)
	if err != nil {
		return nil, false, err
	}
	q.Size = n
	if cur.id != 0 {
		q.Size++ // the cursor's own refusal comes again
	}
	return p.windower().Window(ctx, q)
}

func (p *Pages) searchScan() int {
	if p.SearchScan > 0 {
		return p.SearchScan
	}
	return DefaultSearchScan
}

// cursor is where a search goes on: after the refusal of that time and id,
// in the list's order (newest first, then the highest id).
type cursor struct {
	at time.Time
	id int64
}

func (c cursor) String() string { return fmt.Sprintf("%d-%d", c.at.UnixMicro(), c.id) }

func parseCursor(raw string) (cursor, error) {
	if raw == "" {
		return cursor{}, nil
	}
	at, id, ok := strings.Cut(raw, "-")
	micros, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return cursor{}, checkin.Invalid("before", raw, "is not where a search stopped")
	}
	return cursor{time.UnixMicro(micros).UTC(), n}, nil
}
