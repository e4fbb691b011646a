package radiusd_test

import (
	"sync"
	"testing"
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
