package radiusd_test

import (
	"sync"
	"testing"

	"github.com/checkin-oss/checkin"
)

// TestTwoDevicesStoppingAtOnceCheckOut: Jane's phone and laptop send
// their Stops at the same moment, again and again: each time, one of
// them must find the other stopped and check her out.
func TestTwoDevicesStoppingAtOnceCheckOut(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		for i := range 30 {
			phone, laptop := "phone-"+itoa(int64(i)), "laptop-"+itoa(int64(i))
			f.acctSend(start, phone, janePhone)
			f.acctSend(start, laptop, janeLaptop)
			var wg sync.WaitGroup
			for session, mac := range map[string]string{phone: janePhone, laptop: janeLaptop} {
				wg.Go(func() { f.acctSend(stop, session, mac) })
			}
			wg.Wait()
			if f.janeIn() {
				t.Fatalf("round %d: Jane still checked in after both devices stopped at once", i)
			}
		}
	})
}

// TestRoamingKeepsTheMemberIn: Jane's phone roams, so that the Start of
// its new session and the Stop of its old one arrive at the same moment,
// again and again: each time she must stay checked in, since a session of
// hers is open.
func TestRoamingKeepsTheMemberIn(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		old := "phone-0"
		f.acctSend(start, old, janePhone)
		for i := range 30 {
			roamed := "phone-" + itoa(int64(i+1))
			var wg sync.WaitGroup
			wg.Go(func() { f.acctSend(stop, old, janePhone) })
			wg.Go(func() { f.acctSend(start, roamed, janePhone) })
			wg.Wait()
			if !f.janeIn() {
				t.Fatalf("round %d: Jane checked out while her phone's new session is open", i)
			}
			old = roamed
		}
	})
}

// TestAStopCountsASessionNotYetKnownToBeTheHolders: a Start records its
// session before its check-in says whose it is. A Stop of Jane's phone in
// between counts her laptop's session, found by her device's MAC, and does
// not check her out.
func TestAStopCountsASessionNotYetKnownToBeTheHolders(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.acctSend(start, "phone-1", janePhone)
		laptop := checkin.RadiusSession{ClientID: f.client.ID, BusinessID: f.loc.ID, AcctSessionID: "laptop-1", MAC: janeLaptop}
		if started, err := f.db.StartRadiusSession(f.ctx, laptop); err != nil || !started {
			t.Fatalf("recording the laptop's session: %v, %v", started, err)
		}
		f.acctSend(stop, "phone-1", janePhone)
		if !f.janeIn() {
			t.Fatal("Jane checked out while her laptop's session is open")
		}
	})
}

// TestAStopRightAfterAStartsCheckInFindsItsSession: the phone's Stop
// arrives just after the laptop's Start has checked Jane in, before that
// Start is answered. The laptop's session is recorded already, so the Stop
// does not check her out.
func TestAStopRightAfterAStartsCheckInFindsItsSession(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.acctSend(start, "phone-1", janePhone)
		stopPhone := func() { f.acctSend(stop, "phone-1", janePhone) }
		f.engineDB.after.Store(&stopPhone)
		f.acctSend(start, "laptop-1", janeLaptop)
		if !f.janeIn() {
			t.Fatal("Jane checked out while her laptop's session is open")
		}
	})
}
