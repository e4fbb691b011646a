package access_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/cmd/checkin/wire"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// fixture is a check-in server on a fresh database with one location,
// "acme" (Europe/London), its plan "Hot desk", its team "Blue", and a member
// Jane with every kind of credential.
type fixture struct {
	t     *testing.T
	db    *sqlstore.DB
	clock *checkin.ManualClock
	url   string
	ctx   context.Context

	loc    *checkin.Business
	planID int64
	teamID int64
	jane   *checkin.Coworker
}

const (
	janeEmail    = "jane@example.com"
	janePassword = "jane-password"
	janePincode  = "1234"
	janeDevice   = "AA:BB:CC:DD:EE:01"
)

// eachFixture runs fn on a fresh fixture for each database.
func eachFixture(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) {
		fn(t, newFixture(t, db, clock))
	})
}

func newFixture(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock) *fixture {
	f := &fixture{t: t, db: db, clock: clock, ctx: context.Background()}
	f.url = f.serve(nil)
	f.loc = f.location("acme", 0)
	f.planID = f.plan("Hot desk", true, nil, nil)
	f.teamID = f.team(f.loc.ID, "Blue")
	f.jane = f.member(memberSpec{name: "Jane Doe", email: janeEmail, password: janePassword, pincode: janePincode,
		cards: "CARD-1,card-2", devices: janeDevice, tariff: &f.planID, teams: []int64{f.teamID}})
	return f
}

// serve starts the server the binary runs on the fixture's database,
// configured by configure, and returns its URL.
func (f *fixture) serve(configure func(s *httpapi.Server)) string {
	srv := wire.Server(f.db, nil, nil)
	if configure != nil {
		configure(srv)
	}
	ts := httptest.NewServer(srv.Handler())
	f.t.Cleanup(ts.Close)
	return ts.URL
}

// location creates a location in the network given, or a new network.
func (f *fixture) location(addr string, network int64) *checkin.Business {
	b := checkin.Businesses.New()
	b.Name, b.WebAddress, b.TimeZone, b.NetworkID = strings.ToUpper(addr[:1])+addr[1:], addr, "Europe/London", network
	id := storetest.Must(f.db.Businesses().Create(f.ctx, b))
	return storetest.Must(f.db.Businesses().Find(f.ctx, id))
}

func (f *fixture) plan(name string, active bool, month, week *int64) int64 {
	p := checkin.Tariffs.New()
	p.BusinessID, p.Name, p.Active, p.CheckinMonthLimit, p.CheckinWeekLimit = f.loc.ID, name, active, month, week
	return storetest.Must(f.db.Tariffs().Create(f.ctx, p))
}

func (f *fixture) team(business int64, name string) int64 {
	return storetest.Must(f.db.Teams().Create(f.ctx, &checkin.Team{BusinessID: business, Name: name}))
}

type memberSpec struct {
	business                                       int64 // f.loc when 0
	name, email, password, pincode, cards, devices string
	tariff                                         *int64
	teams                                          []int64
	inactive, network                              bool
}

// member creates a coworker (and its user) and gives the user its devices.
func (f *fixture) member(s memberSpec) *checkin.Coworker {
	c := checkin.Coworkers.New()
	c.BusinessID = s.business
	if c.BusinessID == 0 {
		c.BusinessID = f.loc.ID
	}
	c.FullName, c.Email, c.Password, c.AccessPincode, c.AccessCardID = s.name, s.email, s.password, s.pincode, s.cards
	c.TariffID, c.Teams, c.Active, c.AllowNetworkCheckin = s.tariff, s.teams, !s.inactive, s.network
	id := storetest.Must(f.db.Coworkers().Create(f.ctx, c))
	c = storetest.Must(f.db.Coworkers().Find(f.ctx, id))
	if s.devices != "" {
		u := storetest.Must(f.db.Users().Find(f.ctx, c.UserID))
		u.Devices = s.devices
		if err := f.db.Users().Replace(f.ctx, u); err != nil {
			f.t.Fatal(err)
		}
	}
	return c
}

// set sets a setting of the fixture's location.
func (f *fixture) set(name, value string) { f.setAt(f.loc.ID, name, value) }

func (f *fixture) setAt(business int64, name, value string) {
	s := &checkin.BusinessSetting{BusinessID: business, Name: name, Value: value}
	storetest.Must(f.db.BusinessSettings().Create(f.ctx, s))
}

func (f *fixture) token(code string, minutes int64, from, to *time.Time) *checkin.AccessToken {
	t := checkin.AccessTokens.New()
	t.BusinessID, t.AccessCode, t.MinutesIncluded = f.loc.ID, code, minutes
	if from != nil {
		t.ValidFrom = checkin.TimePtr(*from)
	}
	if to != nil {
		t.ValidTo = checkin.TimePtr(*to)
	}
	id := storetest.Must(f.db.AccessTokens().Create(f.ctx, t))
	return f.tokenByID(id)
}

func (f *fixture) tokenByID(id int64) *checkin.AccessToken {
	return storetest.Must(f.db.AccessTokens().Find(f.ctx, id))
}

func (f *fixture) visitor(code string, status int64, arrival *time.Time) *checkin.Visitor {
	v := checkin.Visitors.New()
	v.BusinessID, v.FullName, v.VisitorCode, v.HostApprovalStatus, v.CoworkerID = f.loc.ID, "Victor Guest", code, status, &f.jane.ID
	if arrival != nil {
		v.ExpectedArrival = checkin.TimePtr(*arrival)
	}
	id := storetest.Must(f.db.Visitors().Create(f.ctx, v))
	return storetest.Must(f.db.Visitors().Find(f.ctx, id))
}

// post sends a check-in body to the fixture's location.
func (f *fixture) post(body string) (int, checkin.Confirmation) {
	return f.postTo("acme.localhost", body, nil)
}

// postTo sends a check-in body with the given Host and headers.
func (f *fixture) postTo(host, body string, header http.Header) (int, checkin.Confirmation) {
	f.t.Helper()
	return f.postURL(f.url, host, body, header)
}

// postURL sends a check-in body to the server at url.
func (f *fixture) postURL(url, host, body string, header http.Header) (int, checkin.Confirmation) {
	f.t.Helper()
	status, c, _ := f.exchange(url, host, body, header)
	return status, c
}

// exchange sends a check-in body to the server at url, and returns the
// answer's headers too.
func (f *fixture) exchange(url, host, body string, header http.Header) (int, checkin.Confirmation, http.Header) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/api/public/checkin", bytes.NewBufferString(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var c checkin.Confirmation
	if err := json.Unmarshal(raw, &c); err != nil {
		f.t.Fatalf("answer %d is not a confirmation: %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, c, resp.Header
}

// all lists every record of an entity, oldest first.
func all[T any](f *fixture, e *checkin.Entity[T], repo checkin.Repository[T]) []*T {
	q := e.DefaultListQuery()
	q.Size, q.OrderBy, q.Desc = checkin.MaxPageSize, e.Field("Id"), false
	recs, _, err := repo.List(f.ctx, q)
	if err != nil {
		f.t.Fatal(err)
	}
	return recs
}

func (f *fixture) failed() []*checkin.FailedCheckin {
	return all(f, checkin.FailedCheckins, f.db.FailedCheckins())
}

func (f *fixture) checkins() []*checkin.Checkin { return all(f, checkin.Checkins, f.db.Checkins()) }

// open returns the open check-ins of a coworker at the fixture's location.
func (f *fixture) open(coworkerID int64) []*checkin.Checkin {
	var out []*checkin.Checkin
	for _, c := range f.checkins() {
		if c.CoworkerID != nil && *c.CoworkerID == coworkerID && c.BusinessID == f.loc.ID && c.ToTime == nil {
			out = append(out, c)
		}
	}
	return out
}

// code returns a confirmation's refusal code, or "" for a success.
func code(c checkin.Confirmation) string {
	if c.WasSuccessful {
		return ""
	}
	if len(c.Errors) != 1 || c.Errors[0].PropertyName != "EventCheckIn" {
		return "malformed refusal"
	}
	return c.Errors[0].Message
}

func ptr[T any](v T) *T { return &v }
