package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
)

// consolePageSize is how many rows a console list shows at a time.
const consolePageSize = 50

// listFilter is what a list view's form asks for: a range of the
// location's days, a text, a method, a page.
type listFilter struct {
	From, To     string // dates, YYYY-MM-DD, in the location's time zone
	Text, Method string
	Page         int
	from, to     time.Time // the range as instants: [from, to)
}

// readFilter reads a list view's form; an empty range means today.
func readFilter(r *http.Request, v *view) (listFilter, error) {
	f := listFilter{From: strings.TrimSpace(r.FormValue("from")), To: strings.TrimSpace(r.FormValue("to")),
		Text: strings.TrimSpace(r.FormValue("q")), Method: strings.TrimSpace(r.FormValue("method")), Page: 1}
	if day := strings.TrimSpace(r.FormValue("day")); day != "" && f.From == "" && f.To == "" {
		f.From, f.To = day, day
	}
	today := v.today()
	zone := today.Location()
	var err error
	if f.from, err = parseDay(f.From, today, zone, "from"); err != nil {
		return f, err
	}
	if f.to, err = parseDay(f.To, f.from, zone, "to"); err != nil {
		return f, err
	}
	if f.to.Before(f.from) {
		return f, checkin.Invalid("to", f.To, "must not be before From")
	}
	f.From, f.To = f.from.Format(time.DateOnly), f.to.Format(time.DateOnly)
	f.to = f.to.AddDate(0, 0, 1)
	if raw := r.FormValue("page"); raw != "" {
		if f.Page, err = strconv.Atoi(raw); err != nil || f.Page < 1 || f.Page > checkin.MaxPage {
			return f, checkin.Invalid("page", raw, "must be a whole number from 1")
		}
	}
	if f.Method != "" {
		if n, err := strconv.ParseInt(f.Method, 10, 64); err != nil || methodNames[n] == "" {
			return f, checkin.Invalid("method", f.Method, "is not a method of this list")
		}
	}
	return f, nil
}

func parseDay(raw string, def time.Time, zone *time.Location, field string) (time.Time, error) {
	if raw == "" {
		return def, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, raw, zone)
	if err != nil {
		return def, checkin.Invalid(field, raw, "is not a date such as 2026-01-15")
	}
	return t, nil
}

// listValues are the admin API's list parameters for the filter: the
// console lists what GET <entity path>?<these> lists.
func (f listFilter) listValues(entity string, v *view, timeField, textField string) url.Values {
	values := url.Values{}
	values.Set(entity+"_BusinessId", strconv.FormatInt(v.Location.ID, 10))
	values.Set("from_"+entity+"_"+timeField, f.from.UTC().Format(time.RFC3339Nano))
	values.Set("to_"+entity+"_"+timeField, f.to.Add(-time.Microsecond).UTC().Format(time.RFC3339Nano))
	if f.Text != "" {
		values.Set(entity+"_"+textField, f.Text)
	}
	if f.Method != "" {
		values.Set(entity+"_Source", f.Method)
	}
	values.Set("page", strconv.Itoa(f.Page))
	values.Set("size", strconv.Itoa(consolePageSize))
	return values
}

// query is the filter's values as a link's query, for paging and CSV.
func (f listFilter) query(v *view, page int) string {
	q := url.Values{}
	q.Set("location", strconv.FormatInt(v.Location.ID, 10))
	q.Set("from", f.From)
	q.Set("to", f.To)
	if f.Text != "" {
		q.Set("q", f.Text)
	}
	if f.Method != "" {
		q.Set("method", f.Method)
	}
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	return q.Encode()
}

// pager is a list's place among its pages; a list not counted (Counted
// false) knows only whether more follow.
type pager struct {
	Page, Pages, Total     int
	Counted                bool
	First, Prev, Next, CSV string
}

func newPager(path string, f listFilter, v *view, total int) pager {
	pages := max(1, (total+consolePageSize-1)/consolePageSize)
	return windowPager(path, f, v, f.Page < pages, pager{Total: total, Pages: pages, Counted: true})
}

func windowPager(path string, f listFilter, v *view, more bool, pg pager) pager {
	pg.Page = f.Page
	if f.Page > 1 {
		pg.Prev = path + "?" + f.query(v, f.Page-1)
	}
	if more {
		pg.Next = path + "?" + f.query(v, f.Page+1)
	}
	pg.CSV = path + ".csv?" + f.query(v, 0)
	return pg
}

type listPage[T any] struct {
	*view
	Filter  listFilter
	Rows    []T
	Pager   pager
	Error   string
	Methods []methodOption
}

type methodOption struct {
	Value, Name string
	Selected    bool
}

func methodOptions(selected string) []methodOption {
	out := []methodOption{{Value: "", Name: "Any method", Selected: selected == ""}}
	for _, n := range []int64{checkin.SourceManual, checkin.SourceDoorAccess, checkin.SourceNetworkActivity, checkin.SourceNone} {
		s := strconv.FormatInt(n, 10)
		out = append(out, methodOption{Value: s, Name: methodNames[n], Selected: s == selected})
	}
	return out
}

type checkinRow struct {
	Name, From, To, Method string
}

// checkins is GET /console/checkins: the check-ins of a day or a range.
func (p *Pages) checkins(w http.ResponseWriter, r *http.Request, v *view) {
	page := listPage[checkinRow]{view: v}
	f, err := readFilter(r, v)
	page.Filter = f
	if err == nil {
		var q checkin.ListQuery
		q, err = checkin.Checkins.ParseListQuery(f.listValues("Checkin", v, "FromTime", "CoworkerFullName"))
		if err == nil {
			var recs []*checkin.Checkin
			var total int
			recs, total, err = p.Store.Checkins().List(r.Context(), q)
			for _, c := range recs {
				row := checkinRow{Name: memberName(c.CoworkerFullName), From: v.localTime(c.FromTime.Time, "2 Jan 15:04"), Method: methodName(c.Source)}
				if c.ToTime != nil {
					row.To = v.localTime(c.ToTime.Time, "2 Jan 15:04")
				}
				page.Rows = append(page.Rows, row)
			}
			page.Pager = newPager(consolePath+"/checkins", f, v, total)
		}
	}
	p.renderList(w, r, "checkins", &page.Error, err, &page)
}

// renderList shows a list page; a mistake in its form is said on the page,
// beside the form, with status 400.
func (p *Pages) renderList(w http.ResponseWriter, r *http.Request, name string, problem *string, err error, page any) {
	status := http.StatusOK
	if err != nil {
		if checkin.ErrorCode(err) != checkin.EINVALID {
			p.failure(w, r, nil, err)
			return
		}
		status, *problem = http.StatusBadRequest, checkin.ErrorMessage(err)
	}
	p.render(w, r, status, name, page)
}

// checkinsCSV is GET /console/checkins.csv: the list's every row, as the
// API's CSV writes it.
func (p *Pages) checkinsCSV(w http.ResponseWriter, r *http.Request, v *view) {
	f, err := readFilter(r, v)
	var q checkin.ListQuery
	if err == nil {
		q, err = checkin.Checkins.ParseListQuery(f.listValues("Checkin", v, "FromTime", "CoworkerFullName"))
	}
	if err != nil {
		p.failure(w, r, v, err)
		return
	}
	httpapi.WriteCSV(p.API, w, r, checkin.Checkins.Name, p.Store.Checkins().(checkin.Exporter[checkin.Checkin]), q)
}

// failedCSV is GET /console/failed.csv.
func (p *Pages) failedCSV(w http.ResponseWriter, r *http.Request, v *view) {
	f, err := readFilter(r, v)
	var q checkin.ListQuery
	if err == nil {
		q, err = checkin.FailedCheckins.ParseListQuery(f.listValues("FailedCheckin", v, "CheckinAttemptTime", "Description"))
	}
	if err != nil {
		p.failure(w, r, v, err)
		return
	}
	httpapi.WriteCSV(p.API, w, r, checkin.FailedCheckins.Name, p.Store.FailedCheckins().(checkin.Exporter[checkin.FailedCheckin]), q)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
