package access_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/secret"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// Methods 3 to 7: a member identified by email and password, email and
// pincode, pincode alone, access card, or a registered device's MAC.

func TestCheckinPassword(t *testing.T) {
	runCheckinCases(t, []checkinCase{
		{name: "checks in the member and records the check-in", body: `{"email":"jane@example.com","password":"jane-password"}`,
			check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				janeIn(checkin.SourceManual)(t, f, c)
				last := f.lastCheckin()
				if *last.TeamsAtTheTimeOfCheckin != "Blue" || *last.TariffAtTheTimeOfCheckin != "Hot desk" || *last.CoworkerFullName != "Jane Doe" || *last.BusinessName != "Acme" {
					t.Errorf("record = %+v, want teams, plan, name and location at the time", last)
				}
				if !last.FromTime.Equal(storetest.Start) || last.FromTimeLocal.Format("15:04") != "10:00" || !last.LastActivity.Equal(storetest.Start) {
					t.Errorf("times = %v / %v, want 09:00 UTC / 10:00 local", last.FromTime, last.FromTimeLocal)
				}
			}},
		{name: "email matches in any letter case", body: `{"email":" JANE@Example.com","password":"jane-password"}`,
			check: janeIn(checkin.SourceManual)},
		{name: "wrong password", body: `{"email":"jane@example.com","password":"wrong-password"}`, want: checkin.CodeInvalidCredentials,
			check: refusedAbout(nil, checkin.SourceManual, "jane@example.com")},
		{name: "unknown email", body: `{"email":"nobody@example.com","password":"jane-password"}`, want: checkin.CodeInvalidCredentials},
		{name: "a user without any member profile", setup: userWithoutProfile, body: `{"email":"loner@example.com","password":"loner-password"}`,
			want: checkin.CodeMissingCustomer},
		{name: "a member of another network only", setup: memberElsewhere(false, false),
			body: `{"email":"ola@example.com","password":"ola-password"}`, want: checkin.CodeNoAccessToSpace},
		{name: "sign-up registers a user without a profile", setup: func(f *fixture) { userWithoutProfile(f); f.set("MembersSignUp", "True") },
			body: `{"email":"loner@example.com","password":"loner-password"}`, check: registeredHere("loner@example.com")},
		{name: "sign-up under Nexudus's name Members.CanSignup", setup: func(f *fixture) { memberElsewhere(false, false)(f); f.set("Members.CanSignup", "true") },
			body: `{"email":"ola@example.com","password":"ola-password"}`, check: registeredHere("ola@example.com")},
		{name: "a member of the network who may check in network-wide", setup: memberElsewhere(true, true),
			body: `{"email":"ola@example.com","password":"ola-password"}`, check: checkedInByEmail("ola@example.com", false)},
		{name: "a member of the network who may not", setup: memberElsewhere(true, false),
			body: `{"email":"ola@example.com","password":"ola-password"}`, want: checkin.CodeNoAccessToSpace},
		{name: "a new device is registered to the member", body: `{"email":"jane@example.com","password":"jane-password","mac":"aa-bb-cc-dd-ee-99"}`,
			check: hasDevices(janeDevice + ",AA:BB:CC:DD:EE:99")},
		{name: "a known device in another spelling is not registered twice", body: `{"email":"jane@example.com","password":"jane-password","mac":"aabb.ccdd.ee01"}`,
			check: hasDevices(janeDevice)},
		{name: "the default limit is 20 devices", setup: withDevices(20),
			body: `{"email":"jane@example.com","password":"jane-password","mac":"aa:bb:cc:dd:ee:99"}`, want: checkin.CodeDeviceLimitReached,
			check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				refusedAboutJane(checkin.SourceManual, "20")(t, f, c)
				if n := len(strings.Split(storetest.Must(f.db.Users().Find(f.ctx, f.jane.UserID)).Devices, ",")); n != 20 {
					t.Errorf("devices = %d, want 20", n)
				}
			}},
		{name: "19 devices leave room for one more", setup: withDevices(19),
			body: `{"email":"jane@example.com","password":"jane-password","mac":"aa:bb:cc:dd:ee:99"}`},
		{name: "a device already registered passes the limit", setup: withDevices(20),
			body: `{"email":"jane@example.com","password":"jane-password","mac":"00:00:00:00:00:01"}`},
		{name: "Checkin.DeviceCountLimit lowers the limit", setup: func(f *fixture) { f.set("Checkin.DeviceCountLimit", "1") },
			body: `{"email":"jane@example.com","password":"jane-password","mac":"aa:bb:cc:dd:ee:99"}`, want: checkin.CodeDeviceLimitReached},
	})
}

func userWithoutProfile(f *fixture) {
	u := &checkin.User{Email: "loner@example.com", FullName: "Lee Loner", Password: "loner-password"}
	storetest.Must(f.db.Users().Create(f.ctx, u))
}

// memberElsewhere makes Ola, a member of another location: of the same
// network or not, allowed to check in network-wide or not. Her pincode is
// 5555 and her card CARD-OLA.
func memberElsewhere(sameNetwork, network bool) func(f *fixture) {
	return func(f *fixture) {
		var networkID int64
		if sameNetwork {
			networkID = f.loc.NetworkID
		}
		other := f.location("beta", networkID)
		f.member(memberSpec{business: other.ID, name: "Ola Other", email: "ola@example.com", password: "ola-password",
			pincode: "5555", cards: "CARD-OLA", devices: "AA:BB:CC:DD:EE:0A", network: network})
	}
}

// registeredHere checks that a member profile was created at the location
// for the user, and checked in.
func registeredHere(email string) func(t *testing.T, f *fixture, c checkin.Confirmation) {
	return checkedInByEmail(email, true)
}

func checkedInByEmail(email string, here bool) func(t *testing.T, f *fixture, c checkin.Confirmation) {
	return func(t *testing.T, f *fixture, c checkin.Confirmation) {
		t.Helper()
		var profile *checkin.Coworker
		for _, cw := range all(f, checkin.Coworkers, f.db.Coworkers()) {
			if cw.Email == email && (cw.BusinessID == f.loc.ID) == here {
				profile = cw
			}
		}
		if profile == nil {
			t.Fatalf("no profile of %s (at this location: %v)", email, here)
		}
		memberSession(t, c, profile.ID, endOfDay, endOfDayLeft)
		if open := f.open(profile.ID); len(open) != 1 {
			t.Errorf("open check-ins of the profile here = %d, want 1", len(open))
		}
	}
}

func hasDevices(want string) func(t *testing.T, f *fixture, c checkin.Confirmation) {
	return func(t *testing.T, f *fixture, c checkin.Confirmation) {
		t.Helper()
		if got := storetest.Must(f.db.Users().Find(f.ctx, f.jane.UserID)).Devices; got != want {
			t.Errorf("devices = %q, want %q", got, want)
		}
	}
}

// withDevices gives Jane n devices, 00:00:00:00:00:01 and on.
func withDevices(n int) func(f *fixture) {
	return func(f *fixture) {
		macs := make([]string, n)
		for i := range macs {
			macs[i] = fmt.Sprintf("00:00:00:00:00:%02X", i+1)
		}
		u := storetest.Must(f.db.Users().Find(f.ctx, f.jane.UserID))
		u.Devices = strings.Join(macs, ",")
		if err := f.db.Users().Replace(f.ctx, u); err != nil {
			f.t.Fatal(err)
		}
	}
}

// TestPasswordBurstIsAnswered: a burst of password check-ins waits its turn
// for the hash, however long, and every one is decided: the check-in's
// database deadline bounds the database's steps, not the queue for the CPU.
func TestPasswordBurstIsAnswered(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		const deadline, burst = time.Second, 48
		url := f.serve(func(s *httpapi.Server) { s.CheckinTimeout = deadline })
		start := time.Now()
		statuses := make(chan string, burst)
		for range burst {
			go func() {
				req, _ := http.NewRequest(http.MethodPost, url+"/api/public/checkin", strings.NewReader(`{"email":"jane@example.com","password":"jane-password"}`))
				req.Host = "acme.localhost"
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					statuses <- err.Error()
					return
				}
				resp.Body.Close()
				statuses <- resp.Status
			}()
		}
		for range burst {
			if got := <-statuses; got != "200 OK" {
				t.Errorf("answer %q, want 200 OK", got)
			}
		}
		if elapsed := time.Since(start); elapsed < deadline {
			t.Logf("the burst took %v, less than the deadline %v: it did not test the queue for the hash", elapsed, deadline)
		}
	})
}

// A password hash made with the former parameters (19 MiB, 2 passes) still
// checks the member in, and is then replaced by one with today's, so that
// it costs what an unknown email costs; a wrong password leaves it.
func TestCheckinPasswordUpgradesOldHash(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dsn := storetest.DSN(t, dialect)
			clock := checkin.NewManualClock(storetest.Start)
			f := newFixture(t, openStore(t, dsn, clock), clock)
			raw := storetest.SQL(t, dsn)
			old := storetest.OldPasswordHash(janePassword) // base64 and $: no quotes to escape
			if _, err := raw.Exec(fmt.Sprintf("UPDATE users SET password_hash = '%s' WHERE id = %d", old, f.jane.UserID)); err != nil {
				t.Fatal(err)
			}
			stored := func() string {
				var h string
				if err := raw.QueryRow(fmt.Sprintf("SELECT password_hash FROM users WHERE id = %d", f.jane.UserID)).Scan(&h); err != nil {
					t.Fatal(err)
				}
				return h
			}
			if _, c := f.post(`{"email":"jane@example.com","password":"wrong-password"}`); code(c) != checkin.CodeInvalidCredentials {
				t.Fatalf("a wrong password: code %q", code(c))
			}
			if h := stored(); h != old {
				t.Fatalf("a wrong password replaced the hash: %q", h)
			}
			if _, c := f.post(`{"email":"jane@example.com","password":"jane-password"}`); code(c) != "" {
				t.Fatalf("the password of an old hash: code %q (%s)", code(c), c.Message)
			}
			want := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", secret.ArgonMemoryKiB, secret.ArgonTime, secret.ArgonThreads)
			if h := stored(); !strings.HasPrefix(h, want) || !secret.VerifyPassword(h, janePassword) {
				t.Fatalf("after the check-in the hash is %q, want one of the password starting %q", h, want)
			}
			if _, c := f.post(`{"email":"jane@example.com","password":"jane-password"}`); code(c) != "" {
				t.Fatalf("the password again, with its new hash: code %q (%s)", code(c), c.Message)
			}
		})
	}
}
