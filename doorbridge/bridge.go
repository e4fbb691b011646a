// Package doorbridge is the reference door bridge: what runs beside a door
// (on a Raspberry Pi with a USB card reader) and decides who may enter.
// Online it asks the service; offline it decides from the last allow-list
// whose signature it verified, queues what it decided on disk, and uploads
// the queue when the service answers again (DOORS.md, docs/doors.md).
package doorbridge

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/doors"
)

// syncTimeout bounds an upload and a refresh of the list together, so that
// a service that hangs does not stop the bridge from trying again.
const syncTimeout = 30 * time.Second

// Bridge decides cards at one door.
type Bridge struct {
	Server string // the service's base URL, such as https://checkin.example.com
	Key    string // the door's key
	Dir    string // where the list, the keys and the queue are kept
	// Pinned, when set, are the only keys trusted to sign lists; else the
	// keys the service publishes are.
	Pinned  []doors.PublicKey
	Timeout time.Duration // for a decision online; then the door decides offline
	Refresh time.Duration // how often the list is fetched and the queue uploaded
	Clock   checkin.Clock
	Out     io.Writer // OPEN or DENY, a line per card
	Log     *slog.Logger
	HTTP    *http.Client

	once  sync.Once
	queue *queue
	mu    sync.Mutex
	list  *doors.List // the last list verified; nil when none
	etag  string
}

func (b *Bridge) init() {
	b.once.Do(func() {
		b.Server = strings.TrimSuffix(b.Server, "/")
		if b.Timeout <= 0 {
			b.Timeout = time.Second
		}
		if b.Refresh <= 0 {
			b.Refresh = time.Minute
		}
		if b.Clock == nil {
			b.Clock = checkin.SystemClock{}
		}
		if b.Log == nil {
			b.Log = slog.New(slog.DiscardHandler)
		}
		if b.HTTP == nil {
			b.HTTP = &http.Client{}
		}
		b.queue = &queue{path: filepath.Join(b.Dir, "queue.jsonl")}
		if err := b.loadList(); err != nil {
			b.Log.Warn("the allow-list kept on disk is not used", "err", err)
		}
	})
}

// Run reads cards, one a line, until in ends or ctx is done, deciding each
// and writing OPEN or DENY. In the background it keeps the list fresh and
// uploads the queue.
func (b *Bridge) Run(ctx context.Context, in io.Reader) error {
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return err
	}
	b.init()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			syncCtx, cancelSync := context.WithTimeout(ctx, syncTimeout)
			if err := b.Sync(syncCtx); err != nil && ctx.Err() == nil {
				b.Log.Warn("sync", "err", err)
			}
			cancelSync()
			select {
			case <-ctx.Done():
				return
			case <-time.After(b.Refresh):
			}
		}
	}()
	cards := make(chan string)
	go func() {
		defer close(cards)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			cards <- sc.Text()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			cancel()
			<-done
			return nil
		case card, ok := <-cards:
			if !ok {
				cancel()
				<-done
				return nil
			}
			if card = strings.TrimSpace(card); card == "" {
				continue
			}
			word := "DENY"
			if b.Decide(ctx, card) {
				word = "OPEN"
			}
			fmt.Fprintln(b.Out, word)
		}
	}
}

// Decide decides one card: by the service when it answers, else from the
// last verified list, queueing the offline decision before it is acted on.
func (b *Bridge) Decide(ctx context.Context, card string) bool {
	b.init()
	status, err := b.ask(ctx, card)
	switch {
	case err == nil && status == http.StatusOK:
		return true
	case err == nil && status == http.StatusUnauthorized:
		b.Log.Error("the service refuses the door's key; every card is denied until it is replaced")
		return false
	case err == nil && status < 500:
		return false
	}
	b.Log.Warn("the service did not decide; deciding offline", "status", status, "err", err)
	now := b.Clock.Now()
	b.mu.Lock()
	open := b.list != nil && b.list.Admits(card, now)
	b.mu.Unlock()
	e := checkin.DoorEvent{EventID: checkin.NewUUID(), Time: now, AccessCardID: card, Opened: open}
	if err := b.queue.add(e); err != nil {
		b.Log.Error("an offline decision could not be queued; the door stays shut", "err", err)
		return false
	}
	return open
}

// ask sends a card to the decision route and returns the answer's status.
func (b *Bridge) ask(ctx context.Context, card string) (int, error) {
	body, _ := json.Marshal(map[string]string{"accessCardId": card})
	ctx, cancel := context.WithTimeout(ctx, b.Timeout)
	defer cancel()
	resp, err := b.do(ctx, "POST", doors.DecidePath, bytes.NewReader(body), nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (b *Bridge) do(ctx context.Context, method, path string, body io.Reader, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, b.Server+path, body)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+b.Key)
	return b.HTTP.Do(req)
}

// errStatus is an answer the bridge did not expect.
type errStatus struct {
	what   string
	status int
}

func (e *errStatus) Error() string {
	return fmt.Sprintf("%s: the service answered %d", e.what, e.status)
}
