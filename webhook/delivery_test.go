package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
	"github.com/checkin-oss/checkin/webhook"
)

func eachDialect(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Parallel()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			fn(t, newFixture(t, dialect))
		})
	}
}

// Each delivery is the record in a JSON array, signed both ways; the
// signatures are checked here from their definitions, not with the
// package's own functions.
func TestDeliveryIsSignedBothWays(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		rawKey := []byte("0123456789abcdef0123456789abcdef")
		secrets := map[string]string{"/plain": "s3cret-ü", "/whsec": "whsec_" + base64.StdEncoding.EncodeToString(rawKey)}
		keys := map[string][]byte{"/plain": []byte("s3cret-ü"), "/whsec": rawKey}
		for path, secret := range secrets {
			f.hook(f.recv.URL+path, checkin.EventCheckin, secret)
		}
		f.hook(f.recv.URL+"/unsigned", checkin.EventCheckin, "")
		f.hook(f.recv.URL+"/checkouts", checkin.EventCheckout, "x")
		first, second := f.event(checkin.EventCheckin), f.event(checkin.EventCheckin)
		f.step()
		for path := range secrets {
			if got := f.recv.ids(path); !slices.Equal(got, []string{first, second}) {
				t.Fatalf("%s got events %v, want %v in order", path, got, []string{first, second})
			}
		}
		if got := f.recv.ids("/checkouts"); len(got) != 0 {
			t.Errorf("the check-out webhook got %v, want nothing", got)
		}
		for _, d := range f.recv.deliveries() {
			recs := records(t, d)
			if len(recs) != 1 || recs[0]["BusinessId"] == nil {
				t.Errorf("%s: body %s, want an array of one record", d.path, d.body)
			}
			if ct, ua := d.header.Get("Content-Type"), d.header.Get("User-Agent"); ct != "application/json" || ua != "checkin/test" {
				t.Errorf("Content-Type %q, User-Agent %q", ct, ua)
			}
			ts := d.header.Get("webhook-timestamp")
			if ts != strconv.FormatInt(storetest.Start.Unix(), 10) {
				t.Errorf("webhook-timestamp = %q, want the clock's %d", ts, storetest.Start.Unix())
			}
			key, signed := keys[d.path]
			if !signed {
				if d.header.Get("X-Nexudus-Hook-Signature") != "" || d.header.Get("webhook-signature") != "" {
					t.Errorf("%s: signed without a secret", d.path)
				}
				continue
			}
			if d.path == "/plain" {
				mac := hmac.New(sha256.New, key)
				mac.Write(d.body)
				if got, want := d.header.Get("X-Nexudus-Hook-Signature"), strings.ToUpper(hex.EncodeToString(mac.Sum(nil))); got != want {
					t.Errorf("X-Nexudus-Hook-Signature = %q, want %q", got, want)
				}
			}
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(d.header.Get("webhook-id") + "." + ts + "." + string(d.body)))
			if got, want := d.header.Get("webhook-signature"), "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != want {
				t.Errorf("%s: webhook-signature = %q, want %q", d.path, got, want)
			}
		}
		if got := counter(f.metrics, "delivered"); got != 6 {
			t.Errorf("delivered = %d, want 6", got)
		}
	})
}

// A failure waits its backoff and holds back the events after it: they
// are delivered in order once the receiver recovers.
func TestFailingReceiverRecovers(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		f.recv.answer = func(n int) int {
			if n <= 2 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		}
		id := f.hook(f.recv.URL+"/h", checkin.EventCheckin, "")
		first, second := f.event(checkin.EventCheckin), f.event(checkin.EventCheckin)
		f.step()
		w := f.webhook(id)
		if w.ErrorCount != 1 || w.LastError == nil || !strings.Contains(*w.LastError, "500") || !w.Active {
			t.Fatalf("after one failure: ErrorCount %d, LastError %v, Active %v", w.ErrorCount, w.LastError, w.Active)
		}
		f.clock.Advance(4 * time.Second)
		f.step()
		if got := len(f.recv.deliveries()); got != 1 {
			t.Fatalf("%d attempts before the 5 s backoff ended, want 1", got)
		}
		f.clock.Advance(time.Second)
		f.step() // second failure: 30 s
		f.clock.Advance(30 * time.Second)
		f.step()
		if got, want := f.recv.ids("/h"), []string{first, first, first, second}; !slices.Equal(got, want) {
			t.Fatalf("deliveries %v, want %v", got, want)
		}
		if w := f.webhook(id); w.ErrorCount != 0 || w.LastTrigger == nil || !w.Active {
			t.Errorf("after recovery: ErrorCount %d, LastTrigger %v", w.ErrorCount, w.LastTrigger)
		}
		if d, fl := counter(f.metrics, "delivered"), counter(f.metrics, "failed"); d != 2 || fl != 2 {
			t.Errorf("delivered %d, failed %d, want 2 and 2", d, fl)
		}
	})
}

func TestGoneSwitchesTheWebhookOff(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		f.recv.answer = func(int) int { return http.StatusGone }
		id := f.hook(f.recv.URL+"/h", checkin.EventCheckin, "")
		f.event(checkin.EventCheckin)
		f.step()
		if w := f.webhook(id); w.Active || w.ErrorCount != 1 {
			t.Fatalf("after 410: Active %v, ErrorCount %d, want switched off", w.Active, w.ErrorCount)
		}
		f.event(checkin.EventCheckin)
		f.clock.Advance(7 * time.Hour)
		f.step()
		if got := len(f.recv.deliveries()); got != 1 {
			t.Errorf("%d deliveries to a switched-off webhook, want the one", got)
		}
	})
}

// Twenty failures in a row switch a webhook off, after retrying for more
// than a day.
func TestTwentyFailuresSwitchTheWebhookOff(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		f.recv.answer = func(int) int { return http.StatusServiceUnavailable }
		id := f.hook(f.recv.URL+"/h", checkin.EventCheckin, "")
		f.event(checkin.EventCheckin)
		start := f.clock.Now()
		for n := int64(1); n <= webhook.MaxFailures; n++ {
			f.step()
			if got := len(f.recv.deliveries()); got != int(n) {
				t.Fatalf("attempt %d: %d deliveries", n, got)
			}
			if w := f.webhook(id); w.Active != (n < webhook.MaxFailures) {
				t.Fatalf("after %d failures Active = %v", n, w.Active)
			}
			f.clock.Advance(webhook.Backoff(n))
		}
		if spent := f.clock.Now().Sub(start); spent < 24*time.Hour {
			t.Errorf("gave up after %v, want at least 24 h", spent)
		}
	})
}

func TestBackoffSchedule(t *testing.T) {
	want := []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 6 * time.Hour}
	for i, w := range want {
		if got := webhook.Backoff(int64(i + 1)); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

// A receiver that never answers fails at the client's timeout, and does
// not hold up another webhook.
func TestHangingReceiverTimesOut(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		hang := newReceiver(t)
		hang.block = make(chan struct{})
		t.Cleanup(func() { close(hang.block) })
		f.worker = f.newWorker(f.db, 200*time.Millisecond)
		stuck := f.hook(hang.URL+"/h", checkin.EventCheckin, "")
		f.hook(f.recv.URL+"/ok", checkin.EventCheckin, "")
		events := []string{f.event(checkin.EventCheckin), f.event(checkin.EventCheckin)}
		start := time.Now()
		f.step()
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("a step took %v with a 200 ms timeout", elapsed)
		}
		if w := f.webhook(stuck); w.LastError == nil || !strings.Contains(*w.LastError, "timeout") {
			t.Errorf("LastError = %v, want a timeout", w.LastError)
		}
		if got := f.recv.ids("/ok"); !slices.Equal(got, events) {
			t.Errorf("the other webhook got %v, want %v", got, events)
		}
	})
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		f.recv.answer = func(int) int { return http.StatusFound }
		id := f.hook(f.recv.URL+"/h", checkin.EventCheckin, "")
		f.event(checkin.EventCheckin)
		f.step()
		if got := len(f.recv.deliveries()); got != 1 {
			t.Errorf("%d requests, want 1 (the redirect not followed)", got)
		}
		if w := f.webhook(id); w.LastError == nil || !strings.Contains(*w.LastError, "redirect") {
			t.Errorf("LastError = %v, want a redirect", w.LastError)
		}
	})
}

// The guard checks the address each delivery connects to: a host name
// that resolves to loopback (as a rebound name would) is never reached.
func TestDeliveryRefusesPrivateAddresses(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		f.worker.Client = webhook.NewClient(&webhook.Guard{}, time.Second, "test")
		port := f.recv.URL[strings.LastIndex(f.recv.URL, ":")+1:]
		id := f.hook("http://localhost:"+port+"/h", checkin.EventCheckin, "")
		f.event(checkin.EventCheckin)
		f.step()
		if got := len(f.recv.deliveries()); got != 0 {
			t.Fatalf("the receiver on loopback got %d deliveries", got)
		}
		w := f.webhook(id)
		if w.LastError == nil || !strings.Contains(*w.LastError, "loopback") {
			t.Errorf("LastError = %v, want the loopback refusal", w.LastError)
		}
	})
}
