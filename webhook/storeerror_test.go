package webhook

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
)

// TestStorageFailuresAreLoggedOnceAMinute: a worker polling a full disk
// logs it once a minute, not at every poll; other store errors each time.
func TestStorageFailuresAreLoggedOnceAMinute(t *testing.T) {
	var logs bytes.Buffer
	clock := checkin.NewManualClock(time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC))
	w := &Worker{Clock: clock, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	full := errors.Join(errors.New("cannot store"), &checkin.StorageError{Reason: checkin.StorageDiskFull, Err: errors.New("database or disk is full (13)")})
	for range 10 {
		w.storeError(context.Background(), "dispatch events", full)
		clock.Advance(time.Second)
	}
	if n := strings.Count(logs.String(), "dispatch events"); n != 1 {
		t.Errorf("10 s of a full disk: %d lines, want 1:\n%s", n, logs.String())
	}
	clock.Advance(time.Minute)
	w.storeError(context.Background(), "dispatch events", full)
	w.storeError(context.Background(), "expire events", errors.New("some bug"))
	w.storeError(context.Background(), "expire events", errors.New("some bug"))
	if got := strings.Count(logs.String(), "level=ERROR"); got != 4 {
		t.Errorf("got %d lines, want 4 (one a minute later, and each other error):\n%s", got, logs.String())
	}
}
