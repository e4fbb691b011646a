package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
)

type nowRow struct {
	ID                  int64
	Name, Since, Method string
}

type nowPage struct {
	*view
	Rows      []nowRow
	StreamURL string
	RowsURL   string
}

func (p *Pages) nowData(r *http.Request, v *view) (nowPage, error) {
	open, err := p.Store.OpenCheckins(r.Context(), v.Location.ID)
	if err != nil {
		return nowPage{}, err
	}
	page := nowPage{view: v, StreamURL: v.withLocation(consolePath + "/now/stream"), RowsURL: v.withLocation(consolePath + "/now/rows")}
	today := v.today()
	for _, c := range open {
		layout := "15:04"
		if c.FromTime.In(today.Location()).Before(today) {
			layout = "2 Jan 15:04"
		}
		page.Rows = append(page.Rows, nowRow{ID: c.ID, Name: memberName(c.CoworkerFullName), Since: v.localTime(c.FromTime.Time, layout), Method: methodName(c.Source)})
	}
	return page, nil
}

func memberName(name *string) string {
	if name == nil || *name == "" {
		return "Guest (access code)"
	}
	return *name
}

// now is GET /console/now: who is checked in.
func (p *Pages) now(w http.ResponseWriter, r *http.Request, v *view) {
	page, err := p.nowData(r, v)
	if err != nil {
		p.failure(w, r, v, err)
		return
	}
	p.render(w, r, http.StatusOK, "now", page)
}

// nowRows is GET /console/now/rows: the table's count and rows alone, which
// the page fetches when the stream reports a change.
func (p *Pages) nowRows(w http.ResponseWriter, r *http.Request, v *view) {
	page, err := p.nowData(r, v)
	if err != nil {
		p.failure(w, r, v, err)
		return
	}
	p.renderPart(w, r, "now", "rows", page)
}

// checkOut is POST /console/checkins/{id}/checkout: the check-in closes now,
// as an admin's edit through the API closes it.
func (p *Pages) checkOut(w http.ResponseWriter, r *http.Request, v *view) {
	if !v.User.HasRole(checkin.Checkins.Name, checkin.ActionEdit) {
		p.forbidden(w, r, v, "Checking a member out needs the role Checkin-Edit or a full administrator.")
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		p.failure(w, r, v, checkin.Invalid("Id", r.PathValue("id"), "must be a positive whole number"))
		return
	}
	c, err := p.Store.Checkins().Find(r.Context(), id)
	if err == nil && c.BusinessID != v.Location.ID {
		err = checkin.Errorf(checkin.ENOTFOUND, "Checkin %d was not found.", id)
	}
	if err == nil && c.ToTime == nil {
		c.ToTime = checkin.TimePtr(p.Clock.Now())
		err = p.Store.Checkins().Replace(r.Context(), c)
	}
	if err != nil {
		p.failure(w, r, v, err)
		return
	}
	http.Redirect(w, r, v.withLocation(consolePath+"/now"), http.StatusSeeOther)
}

// streamPoll is how often the console's own stream looks at the open
// check-ins when the API's event stream is not wired.
const streamPoll = 500 * time.Millisecond

// nowStream is GET /console/now/stream: server-sent events that tell the
// page the open check-ins changed. With Stream set it is the API's event
// stream of the location, read as the signed-in user; otherwise the
// console watches the open check-ins and sends "change" when they differ.
func (p *Pages) nowStream(w http.ResponseWriter, r *http.Request, v *view) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	if p.Stream != nil {
		q := r.URL.Query()
		q.Set("BusinessId", strconv.FormatInt(v.Location.ID, 10))
		q.Del("location")
		r.URL.RawQuery = q.Encode()
		p.Stream.ServeHTTP(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(w, "retry: 1000\n\n")
	_ = rc.Flush()
	last := ""
	poll := time.NewTicker(streamPoll)
	defer poll.Stop()
	keepAlive := time.Now()
	for {
		open, err := p.Store.OpenCheckins(r.Context(), v.Location.ID)
		if err != nil {
			if r.Context().Err() == nil {
				p.Log.Warn("console stream ended", "err", err)
			}
			return
		}
		if sig := openSignature(open); sig != last {
			if last != "" {
				if _, err := fmt.Fprintf(w, "event: change\ndata: {\"CheckedIn\":%d}\n\n", len(open)); err != nil {
					return
				}
				keepAlive = time.Now()
			}
			last = sig
		} else if time.Since(keepAlive) > 15*time.Second {
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			keepAlive = time.Now()
		}
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-p.stopped():
			return
		case <-poll.C:
		}
	}
}

// openSignature tells one set of open check-ins from another.
func openSignature(open []*checkin.Checkin) string {
	var b strings.Builder
	b.WriteString("v")
	for _, c := range open {
		b.WriteString(strconv.FormatInt(c.ID, 10))
		b.WriteByte(',')
	}
	return b.String()
}

// stopped is closed when the server shuts down, so that streams end and
// let it.
func (p *Pages) stopped() <-chan struct{} {
	if p.Stop == nil {
		return nil
	}
	return p.Stop
}
