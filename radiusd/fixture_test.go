package radiusd_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
	"github.com/checkin-oss/checkin/radiusd"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
	"github.com/checkin-oss/checkin/throttle"
)

const (
	secret      = "s3cret-for-tests"
	janeEmail   = "jane@example.com"
	janePass    = "jane-password"
	janePhone   = "AA:BB:CC:DD:EE:01"
	janeLaptop  = "AA:BB:CC:DD:EE:02"
	guestDevice = "AA:BB:CC:DD:EE:99"
)

// fixture is a RADIUS server on a fresh database: one location "acme", a
// member Jane with two devices, and one RADIUS client, 127.0.0.1, whose
// Disconnect server (coa) is a UDP listener of the test.
type fixture struct {
	t        *testing.T
	db       *sqlstore.DB
	clock    *checkin.ManualClock
	ctx      context.Context
	srv      *radiusd.Server
	auth     string // the listeners' addresses
	acct     string
	loc      *checkin.Business
	jane     *checkin.Coworker
	client   *checkin.RadiusClient
	coa      *net.UDPConn
	dsnValue string
	logs     *lockedBuffer // the server\'s log, at debug level
	engineDB *switchableStore
}

// switchableStore is the engine's database, which a test may swap for a
// closed one: an outage after the RADIUS tables were written, before the
// engine has decided.
// A test may also have it run a function once, after the next decision
// is stored: to send another packet at that very moment.
type switchableStore struct {
	db    atomic.Pointer[sqlstore.DB]
	after atomic.Pointer[func()]
}

func (s *switchableStore) Decide(ctx context.Context, fn func(checkin.DecisionView) ([]checkin.Effect, error)) error {
	err := s.db.Load().Decide(ctx, fn)
	if after := s.after.Swap(nil); after != nil {
		(*after)()
	}
	return err
}

func (s *switchableStore) PersonByEmail(ctx context.Context, email string) (*checkin.Person, error) {
	return s.db.Load().PersonByEmail(ctx, email)
}

func (s *switchableStore) RehashPassword(ctx context.Context, userID int64, oldHash, newHash string) {
	s.db.Load().RehashPassword(ctx, userID, oldHash, newHash)
}

// engineOutage gives the engine a closed database until the function it
// returns is called.
func (f *fixture) engineOutage() (restore func()) {
	f.t.Helper()
	closed, err := sqlstore.Open(f.ctx, f.dsn(), f.clock, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	closed.Close()
	f.engineDB.db.Store(closed)
	return func() { f.engineDB.db.Store(f.db) }
}

// lockedBuffer is a log destination safe for the server\'s goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func eachFixture(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	eachFixtureWith(t, nil, fn)
}

// eachFixtureWith runs fn on a fixture for each database, its RADIUS
// client edited by edit before it is created.
func eachFixtureWith(t *testing.T, edit func(*checkin.RadiusClient), fn func(t *testing.T, f *fixture)) {
	t.Helper()
	t.Parallel()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dsn := storetest.DSN(t, dialect)
			clock := checkin.NewManualClock(storetest.Start)
			db, err := sqlstore.Open(context.Background(), dsn, clock, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			f := newFixture(t, db, clock, edit)
			f.dsnValue = dsn
			fn(t, f)
		})
	}
}

// dsn is the database's --db value, for SQL checks.
func (f *fixture) dsn() string { return f.dsnValue }

func newFixture(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock, edit func(*checkin.RadiusClient)) *fixture {
	f := &fixture{t: t, db: db, clock: clock, ctx: context.Background()}
	b := checkin.Businesses.New()
	b.Name, b.WebAddress, b.TimeZone = "Acme", "acme", "Europe/London"
	id := storetest.Must(db.Businesses().Create(f.ctx, b))
	f.loc = storetest.Must(db.Businesses().Find(f.ctx, id))
	c := checkin.Coworkers.New()
	c.BusinessID, c.FullName, c.Email, c.Password = f.loc.ID, "Jane Doe", janeEmail, janePass
	cid := storetest.Must(db.Coworkers().Create(f.ctx, c))
	f.jane = storetest.Must(db.Coworkers().Find(f.ctx, cid))
	f.setDevices(janePhone + "," + janeLaptop)

	coa, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { coa.Close() })
	f.coa = coa
	rc := checkin.RadiusClients.New()
	rc.BusinessID, rc.Name, rc.Address, rc.Secret, rc.CoaAddress = f.loc.ID, "AP 1", "127.0.0.1", secret, coa.LocalAddr().String()
	if edit != nil {
		edit(rc)
	}
	rid := storetest.Must(db.RadiusClients().Create(f.ctx, rc))
	f.client = storetest.Must(db.RadiusClients().Find(f.ctx, rid))
	f.start()
	return f
}

// start serves RADIUS on two fresh ports.
func (f *fixture) start() {
	if f.logs == nil {
		f.logs = &lockedBuffer{}
	}
	f.engineDB = &switchableStore{}
	f.engineDB.db.Store(f.db)
	f.srv = &radiusd.Server{Store: f.db, Locations: f.db.Businesses(), Settings: f.db, Clock: f.clock,
		Log:          slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Engine:       &access.Service{Store: f.engineDB, Throttle: &throttle.Limiter{Store: f.db}},
		RefreshEvery: time.Hour, CheckEvery: time.Hour, RetryEvery: 100 * time.Millisecond, Tries: 2}
	if err := f.srv.Start(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	listen := func() net.PacketConn {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			f.t.Fatal(err)
		}
		return c
	}
	auth, acct := listen(), listen()
	f.auth, f.acct = auth.LocalAddr().String(), acct.LocalAddr().String()
	f.srv.ServeAuth(auth)
	f.srv.ServeAcct(acct)
	f.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		f.srv.Shutdown(ctx)
	})
}

// guestLogin creates a Wi-Fi code of minutes at the location and logs
// guestDevice in with it over PAP: it returns the token and the answer.
func (f *fixture) guestLogin(code string, minutes int64) (int64, *radius.Packet) {
	f.t.Helper()
	tok := checkin.AccessTokens.New()
	tok.BusinessID, tok.AccessCode, tok.MinutesIncluded = f.loc.ID, code, minutes
	id := storetest.Must(f.db.AccessTokens().Create(f.ctx, tok))
	reply := f.exchange(f.auth, packet(radius.CodeAccessRequest, str(rfc2865.UserName_SetString, code),
		str(rfc2865.UserPassword_SetString, code), str(rfc2865.CallingStationID_SetString, dashed(guestDevice))))
	return id, reply
}

func (f *fixture) setDevices(devices string) {
	u := storetest.Must(f.db.Users().Find(f.ctx, f.jane.UserID))
	u.Devices = devices
	if err := f.db.Users().Replace(f.ctx, u); err != nil {
		f.t.Fatal(err)
	}
}

// packet makes a request with the client's secret.
func packet(code radius.Code, attrs ...func(*radius.Packet) error) *radius.Packet {
	p := radius.New(code, []byte(secret))
	for _, a := range attrs {
		if err := a(p); err != nil {
			panic(err)
		}
	}
	return p
}

// send sends raw bytes to addr and returns the answer, or nil when none
// comes within wait.
func send(t *testing.T, addr string, b []byte, wait time.Duration) []byte {
	t.Helper()
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return sendOn(t, conn, b, wait)
}

// sendOn sends from conn, so that a second send is a retransmission.
func sendOn(t *testing.T, conn net.Conn, b []byte, wait time.Duration) []byte {
	t.Helper()
	if _, err := conn.Write(b); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		return nil
	}
	return buf[:n]
}

// exchange sends p (signed with Message-Authenticator unless unsigned) and
// returns the verified answer; it fails the test when none comes.
func (f *fixture) exchange(addr string, p *radius.Packet) *radius.Packet {
	f.t.Helper()
	b := radiusd.EncodeForTest(p)
	reply := send(f.t, addr, b, 3*time.Second)
	if reply == nil {
		f.t.Fatalf("no answer to %v", p.Code)
	}
	if !radius.IsAuthenticResponse(reply, b, []byte(secret)) {
		f.t.Fatalf("answer's Response Authenticator is wrong")
	}
	r, err := radius.Parse(reply, []byte(secret))
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// openCheckins returns the open check-ins at the location.
func (f *fixture) openCheckins() []*checkin.Checkin {
	q := checkin.Checkins.DefaultListQuery()
	q.Size = checkin.MaxPageSize
	recs, _, err := f.db.Checkins().List(f.ctx, q)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []*checkin.Checkin
	for _, c := range recs {
		if c.ToTime == nil {
			out = append(out, c)
		}
	}
	return out
}

func (f *fixture) failed() []*checkin.FailedCheckin {
	q := checkin.FailedCheckins.DefaultListQuery()
	q.Size = checkin.MaxPageSize
	recs, _, err := f.db.FailedCheckins().List(f.ctx, q)
	if err != nil {
		f.t.Fatal(err)
	}
	return recs
}

func dashed(mac string) string { return strings.ReplaceAll(mac, ":", "-") }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
