package apitest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
)

// Toggles is a steady load of check-ins and check-outs for tests of
// crashes, outages and backups. Each worker toggles its own members
// (`{"toggle":true,"pincode":...}`), one request at a time, and every answer
// is tallied by member, so that what the database holds can be held against
// what the clients were told.
type Toggles struct {
	URL  string // the service's base URL
	Host string // the Host header that names the location, e.g. acme.localhost

	client *http.Client
	mu     sync.Mutex
	tally  map[string]*Tally // by pincode
	status map[int]int       // answers by HTTP status; 0 for no answer
	sent   int               // requests sent, tallied or not yet
	done   int               // requests tallied
}

// Tally is what the clients were told about one member.
type Tally struct {
	In, Out int // answered "checked in" and "checked out"
	Refused int // answered with a refusal
	// Undecided requests got no decision (no answer, 503, 500): each may or
	// may not have been recorded.
	Undecided int
}

// NewToggles returns a load on the service at url, for the location that
// host names.
func NewToggles(url, host string) *Toggles {
	return &Toggles{URL: url, Host: host, tally: map[string]*Tally{}, status: map[int]int{},
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

// Run toggles the members named by their pincodes from the given number
// of workers until ctx ends; member i belongs to worker i mod workers. It
// returns when every worker has stopped.
func (l *Toggles) Run(ctx context.Context, workers int, pincodes []string) {
	var wg sync.WaitGroup
	for w := range workers {
		var mine []string
		for i := w; i < len(pincodes); i += workers {
			mine = append(mine, pincodes[i])
		}
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				l.toggle(ctx, mine[i%len(mine)])
			}
		})
	}
	wg.Wait()
	l.client.CloseIdleConnections()
}

// toggle sends one toggle and tallies its answer.
func (l *Toggles) toggle(ctx context.Context, pincode string) {
	l.mu.Lock()
	l.sent++
	l.mu.Unlock()
	status, c := l.post(ctx, `{"toggle":true,"pincode":"`+pincode+`"}`)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done++
	t := l.tally[pincode]
	if t == nil {
		t = &Tally{}
		l.tally[pincode] = t
	}
	l.status[status]++
	switch {
	case status != http.StatusOK || c == nil:
		t.Undecided++
	case !c.WasSuccessful:
		t.Refused++
	case c.Value != nil && c.Value.CheckedIn != nil && *c.Value.CheckedIn:
		t.In++
	default:
		t.Out++
	}
}

// post sends a check-in body; status 0 means there was no answer.
func (l *Toggles) post(ctx context.Context, body string) (int, *checkin.Confirmation) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.URL+"/api/public/checkin", bytes.NewBufferString(body))
	if err != nil {
		return 0, nil
	}
	req.Host = l.Host
	req.Header.Set("Content-Type", "application/json")
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil
	}
	var c checkin.Confirmation
	if json.Unmarshal(raw, &c) != nil {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, &c
}

// Answers is what the clients had been told at one moment, by the
// members' pincodes.
type Answers map[string]Tally

// Answers returns what the clients have been told so far.
func (l *Toggles) Answers() Answers {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(Answers, len(l.tally))
	for pincode, t := range l.tally {
		out[pincode] = *t
	}
	return out
}

// Settled returns what the clients have been told once every request sent
// before the call has been answered (or has failed): what a database read
// or copied before the call holds is then explained by the answers.
func (l *Toggles) Settled() Answers {
	l.mu.Lock()
	sent := l.sent
	l.mu.Unlock()
	for {
		l.mu.Lock()
		done := l.done
		l.mu.Unlock()
		if done >= sent {
			return l.Answers()
		}
		time.Sleep(time.Millisecond)
	}
}

// Count returns how many requests were decided (check-ins, check-outs and
// refusals) and how many were not.
func (a Answers) Count() (decided, undecided int) {
	for _, t := range a {
		decided += t.In + t.Out + t.Refused
		undecided += t.Undecided
	}
	return decided, undecided
}

// Statuses returns how many answers had each HTTP status (0: no answer).
func (l *Toggles) Statuses() map[int]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.status)
}

// Check holds the database against what the clients have been told; see
// CheckStored.
func (l *Toggles) Check(t testing.TB, db *sql.DB) {
	t.Helper()
	a := l.Answers()
	CheckStored(t, db, a, a)
}

// CheckStored holds a database against the answers given before it was
// read (or copied) and those given after. For each member: every check-in
// answered before is a Checkin row, and every check-out a closed one; there
// are no more rows than the answers after, and the undecided requests among
// them, could have added (no duplicates); and at most one check-in is
// open. No refusal is expected, and no FailedCheckin beyond what the
// undecided requests could have written.
func CheckStored(t testing.TB, db *sql.DB, before, after Answers) {
	t.Helper()
	stored, err := checkinsByPincode(db)
	if err != nil {
		t.Fatalf("read the check-ins: %v", err)
	}
	extra := 0 // changes stored beyond what was answered before
	for pincode, last := range after {
		got, first := stored[pincode], before[pincode]
		extra += got.rows - first.In + got.closed - first.Out
		if got.rows < first.In || got.rows > last.In+last.Undecided {
			t.Errorf("member %s: %d check-ins stored; answered %d before, %d (and %d undecided) after", pincode, got.rows, first.In, last.In, last.Undecided)
		}
		if got.closed < first.Out || got.closed > last.Out+last.Undecided {
			t.Errorf("member %s: %d check-outs stored; answered %d before, %d (and %d undecided) after", pincode, got.closed, first.Out, last.Out, last.Undecided)
		}
		if got.rows-got.closed > 1 {
			t.Errorf("member %s: %d open check-ins", pincode, got.rows-got.closed)
		}
		if last.Refused > 0 {
			t.Errorf("member %s: %d toggles refused, want none", pincode, last.Refused)
		}
	}
	if _, undecided := after.Count(); extra > 0 {
		t.Logf("%d check-ins and check-outs stored beyond the answers: made by %d requests answered later or not at all", extra, undecided)
	}
	var failed int
	if err := db.QueryRow("SELECT count(*) FROM failed_checkins").Scan(&failed); err != nil {
		t.Fatal(err)
	}
	if _, undecided := after.Count(); failed > undecided {
		t.Errorf("%d FailedCheckins stored; no refusal was answered and %d requests were undecided", failed, undecided)
	}
}

type stored struct{ rows, closed int }

// checkinsByPincode counts the Checkin rows of each member, and the closed
// ones among them.
func checkinsByPincode(db *sql.DB) (map[string]stored, error) {
	rows, err := db.Query(`SELECT cw.access_pincode, count(*), count(ch.to_time) FROM checkins ch
		JOIN coworkers cw ON cw.id = ch.coworker_id GROUP BY cw.access_pincode`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]stored{}
	for rows.Next() {
		var pincode string
		var s stored
		if err := rows.Scan(&pincode, &s.rows, &s.closed); err != nil {
			return nil, err
		}
		out[pincode] = s
	}
	return out, rows.Err()
}
