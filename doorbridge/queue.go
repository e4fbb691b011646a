package doorbridge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/checkin-oss/checkin"
)

// queue is the events decided offline, not yet uploaded: a file of JSON
// lines, each appended in one write and synced to disk before the door
// acts on it, so that a crash loses no event. A line cut short by a crash
// while it was written is dropped when read (the door had not acted on it).
type queue struct {
	mu   sync.Mutex
	path string
}

// add appends an event and syncs it to disk.
func (q *queue) add(e checkin.DoorEvent) error {
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	f, err := os.OpenFile(q.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// events returns the queued events, oldest first.
func (q *queue) events() ([]checkin.DoorEvent, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.read()
}

func (q *queue) read() ([]checkin.DoorEvent, error) {
	b, err := os.ReadFile(q.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []checkin.DoorEvent
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var e checkin.DoorEvent
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.EventID != "" {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

// drop removes the first n events, those just uploaded, keeping any queued
// since: the rest is written to a new file that replaces the queue.
func (q *queue) drop(n int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	all, err := q.read()
	if err != nil {
		return err
	}
	rest := all[min(n, len(all)):]
	var buf bytes.Buffer
	for _, e := range rest {
		line, _ := json.Marshal(e)
		buf.Write(append(line, '\n'))
	}
	return writeFileSynced(q.path, buf.Bytes())
}

// writeFileSynced replaces a file with data, so that a crash leaves either
// the old file or the new one: a temporary file is written and synced,
// renamed over it, and the directory synced.
func writeFileSynced(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}
