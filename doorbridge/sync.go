package doorbridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/checkin-oss/checkin/doors"
)

// Files in the bridge's directory.
const (
	listFile = "allowlist.json" // the list's exact bytes, as signed
	sigFile  = "allowlist.sig"  // its signature header
	keysFile = "keys.json"      // the keys it was verified with
)

// Sync uploads the queue, then fetches the list if it changed.
func (b *Bridge) Sync(ctx context.Context) error {
	b.init()
	return errors.Join(b.Upload(ctx), b.RefreshList(ctx))
}

// Upload sends the queued events, at most doors.MaxEvents a call, and
// drops from the queue those the service answered for. If the bridge
// stops before it drops them, they are sent again and answered duplicate.
func (b *Bridge) Upload(ctx context.Context) error {
	b.init()
	events, err := b.queue.events()
	if err != nil {
		return err
	}
	for len(events) > 0 {
		batch := events[:min(len(events), doors.MaxEvents)]
		body, _ := json.Marshal(doors.Upload{Events: batch})
		resp, err := b.do(ctx, "POST", doors.EventsPath, bytes.NewReader(body), nil)
		if err != nil {
			return err
		}
		var answer doors.Uploaded
		err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&answer)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return &errStatus{"upload", resp.StatusCode}
		}
		if err != nil || len(answer.Results) != len(batch) {
			return fmt.Errorf("upload: an answer of %d results for %d events (%v)", len(answer.Results), len(batch), err)
		}
		for i, r := range answer.Results {
			if r.Result == "rejected" {
				b.Log.Warn("an offline event was rejected", "event", batch[i].EventID, "reason", r.Reason)
			}
		}
		if err := b.queue.drop(len(batch)); err != nil {
			return err
		}
		events = events[len(batch):]
	}
	return nil
}

// RefreshList fetches the list (answered 304 when unchanged), verifies its
// signature, and keeps it on disk. A list that does not verify is refused
// and the last good one kept.
func (b *Bridge) RefreshList(ctx context.Context) error {
	b.init()
	keys, err := b.keys(ctx)
	if err != nil {
		return err
	}
	b.mu.Lock()
	header := http.Header{}
	if b.etag != "" && b.list != nil {
		header.Set("If-None-Match", b.etag)
	}
	b.mu.Unlock()
	resp, err := b.do(ctx, "GET", doors.AllowlistPath, nil, header)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return nil
	}
	if resp.StatusCode != http.StatusOK {
		return &errStatus{"allow-list", resp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	sig := resp.Header.Get(doors.SignatureHeader)
	l, err := verified(body, sig, keys)
	if err != nil {
		return err
	}
	// In memory first, then on disk: once the file is there, the bridge
	// decides by it. The ETag is kept only once the disk has the list, so a
	// failed write is retried at the next refresh.
	b.mu.Lock()
	b.list = l
	b.mu.Unlock()
	keyBytes, _ := json.Marshal(keys)
	for _, f := range []struct {
		name string
		data []byte
	}{{keysFile, keyBytes}, {listFile, body}, {sigFile, []byte(sig)}} {
		if err := writeFileSynced(filepath.Join(b.Dir, f.name), f.data); err != nil {
			return err
		}
	}
	b.mu.Lock()
	b.etag = resp.Header.Get("ETag")
	b.mu.Unlock()
	return nil
}

// keys returns the keys trusted to sign lists: the pinned ones, else those
// the service publishes.
func (b *Bridge) keys(ctx context.Context) (doors.KeySet, error) {
	if len(b.Pinned) > 0 {
		return doors.KeySet{Keys: b.Pinned}, nil
	}
	resp, err := b.do(ctx, "GET", doors.KeysPath, nil, nil)
	if err != nil {
		return doors.KeySet{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return doors.KeySet{}, &errStatus{"keys", resp.StatusCode}
	}
	var keys doors.KeySet
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&keys)
	return keys, err
}

// loadList reads the list kept on disk and verifies it again, so that a
// bridge restarted while the service is down still decides.
func (b *Bridge) loadList() error {
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(b.Dir, name)) }
	body, err := read(listFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	sig, err2 := read(sigFile)
	keyBytes, err3 := read(keysFile)
	if err := errors.Join(err, err2, err3); err != nil {
		return err
	}
	keys := doors.KeySet{Keys: b.Pinned}
	if len(keys.Keys) == 0 {
		if err := json.Unmarshal(keyBytes, &keys); err != nil {
			return err
		}
	}
	l, err := verified(body, string(sig), keys)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.list = l
	b.mu.Unlock()
	return nil
}

// verified checks a list's signature and reads it.
func verified(body []byte, sig string, keys doors.KeySet) (*doors.List, error) {
	if err := doors.Verify(sig, body, keys); err != nil {
		return nil, err
	}
	var l doors.List
	if err := json.Unmarshal(body, &l); err != nil {
		return nil, fmt.Errorf("the allow-list is not JSON: %w", err)
	}
	return &l, nil
}

// List returns the list the bridge decides from offline, nil when none.
func (b *Bridge) List() *doors.List {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.list
}
